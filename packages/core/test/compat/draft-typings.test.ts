/**
 * zeromq.js's draft typings as a contract: a program typed against `zeromq/draft` (fixtures/
 * zeromqjs-draft-typed-usage.ts.txt: Server's `[message, { routingId }]` and `send(message, { routingId })`,
 * Radio's `send(message, { group })`, Dish's `join(...groups)`/`leave(...groups)` and `[message, { group }]`,
 * Scatter's and Gather's conflate, the option properties) compiles unchanged against @zmq-ts/core/draft
 * when only the import changes. The program is compiled against zeromq.js's own typings first.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { ourEntry, typedProgram, zeromqEntry } from "../helpers/typed-program.js"

const PROGRAM = readFileSync(fileURLToPath(new URL("./fixtures/zeromqjs-draft-typed-usage.ts.txt", import.meta.url)), "utf8")
const OUR_ENTRY = ourEntry("draft")
const ZEROMQ = zeromqEntry("draft")
/** The type errors of PROGRAM with its import pointing at a module. */
const typeErrors = typedProgram(PROGRAM)

describe("zeromq.js-draft-typed code", () => {
  it("is valid against zeromq.js 6.8's own draft typings", () => {
    expect(typeErrors(ZEROMQ, "zeromqjs")).toEqual([])
  }, 60_000)

  it("compiles against @zmq-ts/core/draft with only the import changed", () => {
    expect(typeErrors(OUR_ENTRY, "ours")).toEqual([])
  }, 60_000)

  it("would catch a difference: a routing id typed as a string is reported", () => {
    const broken = PROGRAM.replace("const id: number = routingId", "const id: string = routingId")
    expect(broken).not.toBe(PROGRAM)
    expect(typeErrors(OUR_ENTRY, "broken", broken).join("\n")).toContain("Type 'number' is not assignable to type 'string'.")
  }, 60_000)
})
