import { describe, expect, it } from "vitest"
import { Metadata } from "../src/index.js"
import { decodeMetadata, encodeMetadata } from "../src/metadata.js"

describe("Metadata", () => {
  it("keeps a peer's property named __proto__ or constructor as a plain entry of toJSON, never a prototype", () => {
    const wire = encodeMetadata([
      ["__proto__", new TextEncoder().encode("x")],
      ["constructor", new TextEncoder().encode("y")],
      ["Socket-Type", new TextEncoder().encode("DEALER")],
    ])
    const json = decodeMetadata(wire, "READY").toJSON()
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype)
    expect(Object.keys(json)).toEqual(["__proto__", "constructor", "Socket-Type"])
    expect(Object.getOwnPropertyDescriptor(json, "__proto__")?.value).toBe("x")
    expect(json["constructor"]).toBe("y")
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
  })

  it("looks names up whatever their case; a later value replaces an earlier one", () => {
    const metadata = new Metadata([["Identity", "a"], ["IDENTITY", "b"]])
    expect(metadata.size).toBe(1)
    expect(metadata.getString("identity")).toBe("b")
  })
})
