/**
 * zeromq.js's typings as a contract: a program typed against zeromq.js v6 (fixtures/zeromqjs-typed-usage.ts.txt:
 * its type names — Message, MessageLike, Event, EventType, EventOfType, SocketOptions<S>, Readable, Writable,
 * RouterConnectOptions, Stream and StreamConnectOptions — every common option property, `new Context({ ioThreads })`, `socket.type` as a
 * number, Proxy, Observer) compiles unchanged against our sources when only the import changes. The same
 * program is compiled against zeromq.js's own typings first, so it is known to be valid zeromq.js code.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { ourEntry, typedProgram, zeromqEntry } from "../helpers/typed-program.js"

const PROGRAM = readFileSync(fileURLToPath(new URL("./fixtures/zeromqjs-typed-usage.ts.txt", import.meta.url)), "utf8")
const OUR_ENTRY = ourEntry("index")
const ZEROMQ = zeromqEntry("index")
/** The type errors of PROGRAM with its import pointing at a module. */
const typeErrors = typedProgram(PROGRAM)

describe("zeromq.js-typed code", () => {
  it("is valid against zeromq.js 6.8's own typings", () => {
    expect(typeErrors(ZEROMQ, "zeromqjs")).toEqual([])
  }, 60_000)

  it("compiles against @zmq-ts/core with only the import changed", () => {
    expect(typeErrors(OUR_ENTRY, "ours")).toEqual([])
  }, 60_000)

  it("would catch a difference: a wrong type in the program is reported", () => {
    const broken = PROGRAM.replace("const kind: number = dealer.type", "const kind: string = dealer.type")
    expect(broken).not.toBe(PROGRAM)
    expect(typeErrors(OUR_ENTRY, "broken", broken).join("\n")).toContain("Type 'number' is not assignable to type 'string'.")
  }, 60_000)
})
