/**
 * Loading the crypto, and the key helpers (zmq_curve_keypair, zmq_curve_public, libzmq's key options).
 * The first tests run before `loadCurve()`: this file has a module instance of its own (vitest isolates
 * files), so nothing else has loaded it.
 */
import { ZmtpErrorCode, z85Decode, z85Encode } from "@zmq-ts/zmtp"
import sodium from "libsodium-wrappers-sumo"
import { describe, expect, it } from "vitest"
import { CurveKeyError, curveClient, curveKeyPair, curveLoaded, curvePublicKey, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { base64url, fromBase64url } from "../src/base64url.js"
import { curveBackends, SecretKey } from "../src/primitives.js"

const SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
const SERVER_SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
const CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
const CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

describe("before loadCurve()", () => {
  it("the mechanisms refuse with a local EFSM error; the key helpers work through node:crypto", () => {
    expect(curveLoaded()).toBe(false)
    const key = new Uint8Array(32)
    expect(() => curveServer({ secretKey: key })).toThrow(expect.objectContaining({ code: ZmtpErrorCode.INVALID_STATE, message: expect.stringContaining("loadCurve()") }))
    expect(() => curveClient({ publicKey: key, secretKey: key, serverKey: key })).toThrow(expect.objectContaining({ code: ZmtpErrorCode.INVALID_STATE }))
    expect(curvePublicKey(SERVER_SECRET)).toBe(SERVER_PUBLIC)
    const pair = curveKeyPair()
    expect(curvePublicKey(pair.secretKey)).toBe(pair.publicKey)
  })
})

describe("loadCurve()", () => {
  it("is idempotent and shares one promise; picks node:crypto X25519 and libsodium's raw MESSAGE boxes here", async () => {
    const first = loadCurve()
    expect(loadCurve()).toBe(first)
    await first
    expect(curveLoaded()).toBe(true)
    expect(loadCurve()).toBe(first)
    expect(curveBackends()).toEqual({ x25519: "node:crypto", message: "libsodium-raw" })
  })
})

describe("curveKeyPair / curvePublicKey", () => {
  it("match libzmq's zmq_curve(7) key pairs", () => {
    expect(curvePublicKey(SERVER_SECRET)).toBe(SERVER_PUBLIC)
    expect(curvePublicKey(CLIENT_SECRET)).toBe(CLIENT_PUBLIC)
    expect(curvePublicKey(z85Decode(CLIENT_SECRET))).toBe(CLIENT_PUBLIC)
  })

  it("gives fresh, consistent 40-character Z85 pairs", () => {
    const a = curveKeyPair()
    const b = curveKeyPair()
    for (const key of [a.publicKey, a.secretKey]) expect(key).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/)
    expect(a.secretKey).not.toBe(b.secretKey)
    expect(curvePublicKey(a.secretKey)).toBe(a.publicKey)
    expect(z85Encode(sodium.crypto_scalarmult_base(z85Decode(a.secretKey)))).toBe(a.publicKey)
  })

  it("node:crypto and libsodium agree on crypto_box_beforenm, and both refuse a low-order key", () => {
    for (let i = 0; i < 20; i++) {
      const ours = sodium.crypto_box_keypair()
      const theirs = sodium.crypto_box_keypair()
      const key = new SecretKey(ours.privateKey)
      expect(Buffer.from(key.boxKey(theirs.publicKey)!).toString("hex")).toBe(Buffer.from(sodium.crypto_box_beforenm(theirs.publicKey, ours.privateKey)).toString("hex"))
      expect(Buffer.from(key.publicKey()).toString("hex")).toBe(Buffer.from(ours.publicKey).toString("hex"))
    }
    const key = SecretKey.generate()
    expect(key.boxKey(new Uint8Array(32))).toBeUndefined()
    expect(key.boxKey(Uint8Array.of(1, ...new Uint8Array(31)))).toBeUndefined()
    expect(() => sodium.crypto_box_beforenm(new Uint8Array(32), key.bytes)).toThrow()
  })

  it("base64url round-trips every length (the JWK form of keys)", () => {
    for (let length = 0; length < 40; length++) {
      const bytes = sodium.randombytes_buf(length)
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"))
      expect(Buffer.from(fromBase64url(base64url(bytes))!).equals(Buffer.from(bytes))).toBe(true)
    }
    expect(fromBase64url("a+b")).toBeUndefined()
  })
})

describe("decodeCurveKey", () => {
  const raw = z85Decode(SERVER_PUBLIC)

  it("accepts 32 raw bytes (copied), 40 Z85 characters, and 41 ending in NUL, as strings or bytes", () => {
    const copy = decodeCurveKey(raw, "curveServerKey")
    expect(copy).toEqual(raw)
    expect(copy).not.toBe(raw)
    for (const value of [SERVER_PUBLIC, `${SERVER_PUBLIC}\0`, ascii(SERVER_PUBLIC), ascii(`${SERVER_PUBLIC}\0`)]) {
      expect(decodeCurveKey(value, "curveServerKey")).toEqual(raw)
    }
  })

  it.each([
    ["123 bytes", new Uint8Array(123)],
    ["31 bytes", new Uint8Array(31)],
    ["39 characters", SERVER_PUBLIC.slice(1)],
    ["41 characters without NUL", `${SERVER_PUBLIC}x`],
    ["bad Z85 character", `${SERVER_PUBLIC.slice(0, 39)}~`],
    ["Z85 group over 32 bits", "%%%%%" + SERVER_PUBLIC.slice(5)],
    ["not a key at all", 42 as unknown as string],
  ])("rejects %s with CurveKeyError EINVAL, never quoting the value", (_name, value) => {
    let thrown: unknown
    try {
      decodeCurveKey(value, "curveSecretKey")
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(CurveKeyError)
    expect(CurveKeyError.isInstance(thrown)).toBe(true)
    const error = thrown as CurveKeyError
    expect(error.code).toBe("EINVAL")
    expect(error.message).toContain("curveSecretKey")
    if (typeof value === "string") {
      for (let i = 0; i + 5 <= value.length; i += 5) expect(error.message).not.toContain(value.slice(i, i + 5))
    }
  })

  it("mechanism options must be 32 bytes", () => {
    expect(() => curveServer({ secretKey: ascii(SERVER_SECRET) })).toThrow(CurveKeyError)
    expect(() => curveClient({ publicKey: new Uint8Array(32), secretKey: new Uint8Array(32), serverKey: new Uint8Array(33) })).toThrow(CurveKeyError)
  })
})
