/**
 * Fuzz target "z85": `z85Decode` (RFC 32), which reads CURVE keys given as text (ZMQ_CURVE_*KEY, ZAP's
 * curve key frames are binary but certificates are Z85). Seeds: RFC 32's "HelloWorld" and the Z85 keys
 * of libzmq's own tests (tests/testutil_security.cpp) and of RFC 26's example; mutated as Latin-1 bytes,
 * and now and then with characters beyond Latin-1 (surrogate halves included).
 *
 * Oracle, against RFC 32 read directly: text is accepted exactly when its length is a multiple of 5, every
 * character is in the alphabet and every 5-digit group is below 2^32; accepted text decodes to 4 bytes per
 * 5 characters and encodes back to itself; refused text throws ZmtpError INVALID_Z85, nothing else.
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { z85Decode, z85Encode, ZmtpError, ZmtpErrorCode } from "../../src/index.js"
import { check, fuzz, mutants, targetRuns } from "./fuzz-kit.js"

const RUNS = targetRuns("z85", 2000)
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
const SEEDS = [
  "HelloWorld",
  // libzmq tests/testutil_security.cpp: valid_client_public/secret, valid_server_public/secret.
  "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
  "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
  "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
  "%%%%%",
  "",
].map((text) => Uint8Array.from(text, (c) => c.charCodeAt(0)))

function referenceAccepts(text: string): boolean {
  if (text.length % 5 !== 0) return false
  for (let i = 0; i < text.length; i += 5) {
    let value = 0
    for (const c of text.slice(i, i + 5)) {
      const digit = ALPHABET.indexOf(c)
      if (digit < 0 || c.length !== 1) return false
      value = value * 85 + digit
    }
    if (value >= 2 ** 32) return false
  }
  return true
}

const wide = fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom("\u0100", "€", "\ud800", "\udfff", "😀", "\u0000"), fc.string({ maxLength: 2 }))), {
  maxLength: 2,
})

describe("fuzz: Z85", () => {
  it("decodes exactly what RFC 32 allows, round trips it, and refuses the rest with INVALID_Z85", () => {
    fuzz("z85", RUNS, 1, fc.tuple(mutants(SEEDS, 6), wide), ([mutant, insertions]) => {
      let text = String.fromCharCode(...mutant.bytes)
      for (const [at, piece] of insertions) {
        const i = at % (text.length + 1)
        text = text.slice(0, i) + piece + text.slice(i)
      }
      const accepts = referenceAccepts(text)
      let decoded: Uint8Array | undefined
      try {
        decoded = z85Decode(text)
      } catch (thrown) {
        check(ZmtpError.isInstance(thrown) && thrown.code === ZmtpErrorCode.INVALID_Z85, () => `threw ${String(thrown)}`)
      }
      check(accepts === (decoded !== undefined), () => `reference ${accepts ? "accepts" : "refuses"} ${JSON.stringify(text)}`)
      if (decoded !== undefined) {
        check(decoded.length === (text.length / 5) * 4, () => `${decoded.length} bytes from ${text.length} characters`)
        check(z85Encode(decoded) === text, () => `${JSON.stringify(text)} does not round trip`)
      }
    })
  })
})
