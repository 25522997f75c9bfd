/**
 * zeromq.js's draft typings as a contract: a program typed against `zeromq/draft` (fixtures/
 * zeromqjs-draft-typed-usage.ts.txt: Server's `[message, { routingId }]` and `send(message, { routingId })`,
 * Radio's `send(message, { group })`, Dish's `join(...groups)`/`leave(...groups)` and `[message, { group }]`,
 * Scatter's and Gather's conflate, the option properties) compiles unchanged against @zmq-ts/core/draft
 * when only the import changes. The program is compiled against zeromq.js's own typings first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { afterAll, describe, expect, it } from "vitest"

const PROGRAM = readFileSync(fileURLToPath(new URL("./fixtures/zeromqjs-draft-typed-usage.ts.txt", import.meta.url)), "utf8")
const OUR_ENTRY = fileURLToPath(new URL("../../src/draft.js", import.meta.url))
const ZEROMQ = fileURLToPath(new URL("../../node_modules/zeromq/lib/draft.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "zmqts-draft-typings-"))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

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
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((diagnostic) => `${diagnostic.start ?? ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`)
}

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
