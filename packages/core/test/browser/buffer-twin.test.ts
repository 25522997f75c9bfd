/**
 * The browser's Buffer (src/platform/buffer.browser.ts) against Node's, with fast-check: every method core
 * and zeromq.js's documented API use gives the same bytes, strings and numbers.
 */
import { Buffer as NodeBuffer } from "node:buffer"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Buffer as Twin, type BufferEncoding } from "../../src/platform/buffer.browser.js"

const bytes = fc.uint8Array({ maxLength: 300 })
const same = (twin: Uint8Array, node: Uint8Array): void => expect([...twin]).toEqual([...node])
const ENCODINGS: BufferEncoding[] = ["utf8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "utf16le"]

describe("Buffer twin vs Node's Buffer", () => {
  it("toString in every encoding, whole and for any start/end", () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(...ENCODINGS), fc.nat(320), fc.nat(320), (data, encoding, start, end) => {
        const twin = Twin.from(data)
        const node = NodeBuffer.from(data)
        expect(twin.toString(encoding)).toBe(node.toString(encoding))
        expect(twin.toString(encoding, start, end)).toBe(node.toString(encoding, start, end))
      }),
    )
    fc.assert(
      fc.property(bytes, (data) => {
        expect(Twin.from(data).toString()).toBe(NodeBuffer.from(data).toString())
      }),
    )
  })

  it("from(string) in every encoding, for any text and for what Node's toString made", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 100 }), fc.constantFrom(...ENCODINGS), (text, encoding) => {
        // Node decodes base64 and hex that is not ASCII by its string representation's quirks: not imitated.
        if (encoding === "base64" || encoding === "base64url" || encoding === "hex") text = text.replace(/[^\x00-\x7f]/g, "")
        same(Twin.from(text, encoding), NodeBuffer.from(text, encoding))
        expect(Twin.byteLength(text, encoding)).toBe(NodeBuffer.byteLength(text, encoding))
      }),
    )
    fc.assert(
      fc.property(bytes, fc.constantFrom<BufferEncoding>("hex", "base64", "base64url", "latin1"), (data, encoding) => {
        const text = NodeBuffer.from(data).toString(encoding)
        same(Twin.from(text, encoding), NodeBuffer.from(text, encoding))
      }),
    )
  })

  it("from arrays, ArrayBuffers (a view, sharing memory), Uint8Arrays (a copy), and JSON", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -300, max: 600 }), { maxLength: 50 }), (numbers) => {
        same(Twin.from(numbers), NodeBuffer.from(numbers))
      }),
    )
    fc.assert(
      fc.property(bytes, fc.nat(300), fc.nat(300), (data, a, b) => {
        const offset = Math.min(a, data.length)
        const length = Math.min(b, data.length - offset)
        const twin = Twin.from(data.buffer, data.byteOffset + offset, length)
        same(twin, NodeBuffer.from(data.buffer, data.byteOffset + offset, length))
        if (length > 0) {
          data[offset] = data[offset]! ^ 0xff
          expect(twin[0]).toBe(data[offset]) // the same memory
        }
        const copy = Twin.from(data)
        if (data.length > 0) {
          data[0] = data[0]! ^ 0xff
          expect(copy[0]).not.toBe(data[0])
        }
        same(Twin.from(NodeBuffer.from(data).toJSON()), data)
        expect(Twin.from(data).toJSON()).toEqual(NodeBuffer.from(data).toJSON())
      }),
    )
  })

  it("alloc (with fills), allocUnsafe, concat, compare, equals, copy, write", () => {
    fc.assert(
      fc.property(fc.nat(100), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.string({ minLength: 1, maxLength: 5 })), (size, fill) => {
        same(Twin.alloc(size, fill), NodeBuffer.alloc(size, fill))
        expect(Twin.allocUnsafe(size).length).toBe(size)
      }),
    )
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 5 }), fc.option(fc.nat(600), { nil: undefined }), (parts, total) => {
        same(Twin.concat(parts, total), NodeBuffer.concat(parts, total))
      }),
    )
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(Twin.compare(a, b)).toBe(NodeBuffer.compare(a, b))
        expect(Twin.from(a).compare(b)).toBe(NodeBuffer.from(a).compare(b))
        expect(Twin.from(a).equals(b)).toBe(NodeBuffer.from(a).equals(b))
        const twinTarget = Twin.alloc(40)
        const nodeTarget = NodeBuffer.alloc(40)
        const start = Math.min(1, a.length)
        expect(Twin.from(a).copy(twinTarget, 3, start)).toBe(NodeBuffer.from(a).copy(nodeTarget, 3, start))
        same(twinTarget, nodeTarget)
      }),
    )
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), fc.nat(20), fc.nat(40), fc.constantFrom<BufferEncoding>("utf8", "latin1", "hex", "utf16le"), (text, offset, length, encoding) => {
        if (encoding === "hex") text = text.replace(/[^\x00-\x7f]/g, "") // as above: Node's quirks not imitated
        const twin = Twin.alloc(20)
        const node = NodeBuffer.alloc(20)
        const outcome = (write: () => number): number | string => {
          try {
            return write()
          } catch (error) {
            return (error as Error).name
          }
        }
        expect(outcome(() => twin.write(text, offset, length, encoding))).toBe(outcome(() => node.write(text, offset, length, encoding)))
        same(twin, node)
      }),
    )
  })

  it("integer reads and writes, and their range errors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 32 }), fc.nat(24), (data, at) => {
        const twin = Twin.from(data)
        const node = NodeBuffer.from(data)
        const offset = Math.min(at, data.length - 8)
        for (const read of ["readUInt8", "readUInt16BE", "readUInt16LE", "readUInt32BE", "readUInt32LE", "readInt32BE", "readInt32LE", "readBigUInt64BE", "readBigUInt64LE"] as const) {
          expect(twin[read](offset)).toBe(node[read](offset))
        }
        expect(() => twin.readUInt32BE(data.length - 3)).toThrow(RangeError)
      }),
    )
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(4), (value, offset) => {
        const twin = Twin.alloc(8)
        const node = NodeBuffer.alloc(8)
        expect(twin.writeUInt32BE(value, offset)).toBe(node.writeUInt32BE(value, offset))
        expect(twin.writeUInt32LE(value >>> 8, 0)).toBe(node.writeUInt32LE(value >>> 8, 0))
        expect(twin.writeUInt16BE(value & 0xffff, 6)).toBe(node.writeUInt16BE(value & 0xffff, 6))
        same(twin, node)
      }),
    )
    expect(() => Twin.alloc(4).writeUInt32BE(2 ** 32)).toThrow(RangeError)
    expect(() => Twin.alloc(4).writeUInt8(-1)).toThrow(RangeError)
  })

  it("slice and subarray are views that are Buffers, as Node's; isBuffer tells them from Uint8Arrays", () => {
    const twin = Twin.from("hello world")
    const part = twin.slice(6)
    expect(Twin.isBuffer(part)).toBe(true)
    expect(part.toString()).toBe("world")
    twin[6] = "W".charCodeAt(0)
    expect(part.toString()).toBe("World")
    expect(twin.subarray(0, 5).toString("hex")).toBe("68656c6c6f")
    expect(Twin.isBuffer(new Uint8Array(2))).toBe(false)
    expect(Twin.isEncoding("UTF-8")).toBe(true)
    expect(Twin.isEncoding("utf7")).toBe(false)
    expect(() => Twin.from("x", "utf7" as BufferEncoding)).toThrow(TypeError)
  })
})
