/**
 * zeromq.js's typings as a contract: a program typed against zeromq.js v6 (fixtures/zeromqjs-typed-usage.ts.txt:
 * its type names — Message, MessageLike, Event, EventType, EventOfType, SocketOptions<S>, Readable, Writable,
 * RouterConnectOptions, Stream and StreamConnectOptions — every common option property, `new Context({ ioThreads })`, `socket.type` as a
 * number, Proxy, Observer) compiles unchanged against our sources when only the import changes. The same
 * program is compiled against zeromq.js's own typings first, so it is known to be valid zeromq.js code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { afterAll, describe, expect, it } from "vitest"

const PROGRAM = readFileSync(fileURLToPath(new URL("./fixtures/zeromqjs-typed-usage.ts.txt", import.meta.url)), "utf8")
const OUR_ENTRY = fileURLToPath(new URL("../../src/index.js", import.meta.url))
const ZEROMQ = fileURLToPath(new URL("../../node_modules/zeromq/lib/index.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "zmqts-typings-"))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The type errors of PROGRAM with its import pointing at `module`, under strict settings. */
function typeErrors(module: string, name: string, source = PROGRAM): string[] {
  const file = join(dir, `${name}.ts`)
  writeFileSync(file, source.replace('"MODULE"', JSON.stringify(module)))
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    types: ["node"],
    typeRoots: [fileURLToPath(new URL("../../node_modules/@types", import.meta.url))],
    customConditions: ["@zmq-ts/source"],
    skipLibCheck: true,
    noEmit: true,
  })
  // Only the program's own diagnostics: it is the user's code that must compile.
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((diagnostic) => `${diagnostic.start ?? ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`)
}

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
