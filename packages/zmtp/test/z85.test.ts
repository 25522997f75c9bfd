import { describe, it, expect } from "vitest"
import fc from "fast-check"
import { z85Decode, z85Encode } from "../src/z85.js"
import { ZmtpError } from "../src/errors.js"

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

/** Runs `fn`, expects it to throw a local ERR_Z85_INVALID ZmtpError, and returns it for message checks. */
function expectZ85Error(fn: () => unknown): ZmtpError {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(ZmtpError.isInstance(caught)).toBe(true)
  const err = caught as ZmtpError
  expect(err.code).toBe("ERR_Z85_INVALID")
  expect(err.origin).toBe("local")
  return err
}

describe("z85 vectors", () => {
  it("matches the RFC 32 test vector", () => {
    const data = bytes(0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b)
    expect(z85Encode(data)).toBe("HelloWorld")
    expect(z85Decode("HelloWorld")).toEqual(data)
  })

  it("matches the libzmq CURVE test server public key", () => {
    // The well-known test key from libzmq's zmq_curve(7) docs and test suite.
    const text = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    const key = bytes(
      0x54, 0xfc, 0xba, 0x24, 0xe9, 0x32, 0x49, 0x96, 0x93, 0x16, 0xfb, 0x61, 0x7c, 0x87, 0x2b, 0xb0,
      0xc1, 0xd1, 0xff, 0x14, 0x80, 0x04, 0x27, 0xc5, 0x94, 0xcb, 0xfa, 0xcf, 0x1b, 0xc2, 0xd6, 0x52,
    )
    const decoded = z85Decode(text)
    expect(decoded.length).toBe(32)
    expect(decoded).toEqual(key)
    expect(z85Encode(decoded)).toBe(text)
  })

  it("maps empty input to the empty string and back", () => {
    expect(z85Encode(new Uint8Array(0))).toBe("")
    expect(z85Decode("")).toEqual(new Uint8Array(0))
  })

  it("covers the extremes of a group", () => {
    expect(z85Encode(bytes(0, 0, 0, 0))).toBe("00000")
    expect(z85Encode(bytes(0xff, 0xff, 0xff, 0xff))).toBe("%nSc0")
    expect(z85Decode("%nSc0")).toEqual(bytes(0xff, 0xff, 0xff, 0xff))
  })

  it("encodes inputs longer than one string-building chunk", () => {
    const data = new Uint8Array(40_000).map((_, i) => (i * 31) & 0xff)
    const text = z85Encode(data)
    expect(text.length).toBe(50_000)
    expect(z85Decode(text)).toEqual(data)
  })
})

describe("z85 errors", () => {
  it("rejects encode input whose length is not a multiple of 4", () => {
    const err = expectZ85Error(() => z85Encode(new Uint8Array(7)))
    expect(err.message).toBe("z85 input of 7 bytes is not a multiple of 4")
  })

  it("rejects decode text whose length is not a multiple of 5", () => {
    const err = expectZ85Error(() => z85Decode("Hello!"))
    expect(err.message).toBe("z85 text of 6 characters is not a multiple of 5")
  })

  it("rejects a character outside the alphabet", () => {
    const err = expectZ85Error(() => z85Decode("Hel~oWorld"))
    expect(err.message).toBe("invalid z85 character '~' at index 3")
  })

  it("rejects non-ASCII characters", () => {
    expectZ85Error(() => z85Decode("Hellé"))
    expectZ85Error(() => z85Decode("Hell\u0125"))
  })

  it("rejects a group that exceeds 32 bits", () => {
    const err = expectZ85Error(() => z85Decode("%%%%%"))
    expect(err.message).toBe('z85 group "%%%%%" at index 0 exceeds 32 bits')
    // One past 0xffffffff ("%nSc0") must also overflow.
    expect(expectZ85Error(() => z85Decode("Hello%nSc1")).message).toBe('z85 group "%nSc1" at index 5 exceeds 32 bits')
  })
})

describe("z85 properties", () => {
  it("round-trips any byte string whose length is a multiple of 4", () => {
    const data = fc.integer({ min: 0, max: 64 }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }))
    fc.assert(
      fc.property(data, (x) => {
        const text = z85Encode(x)
        expect(text.length).toBe((x.length / 4) * 5)
        for (const ch of text) expect(ALPHABET.includes(ch)).toBe(true)
        expect(z85Decode(text)).toEqual(x)
      }),
    )
  })

  it("either decodes arbitrary text or throws ERR_Z85_INVALID, nothing else", () => {
    // Mostly-alphabet strings reach the overflow and success paths; "binary" strings hit every other char.
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...ALPHABET, "~", " "), maxLength: 40 }),
    )
    fc.assert(
      fc.property(text, (s) => {
        let out: Uint8Array | undefined
        try {
          out = z85Decode(s)
        } catch (err) {
          expect(ZmtpError.isInstance(err)).toBe(true)
          expect((err as ZmtpError).code).toBe("ERR_Z85_INVALID")
          return
        }
        expect(out.length).toBe((s.length / 5) * 4)
      }),
    )
  })
})
