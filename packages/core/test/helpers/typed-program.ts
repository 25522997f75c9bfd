/**
 * zeromq.js's typings as a contract (test/compat/*typings.test.ts): a program written against zeromq.js,
 * whose import reads "MODULE", is compiled under strict settings with that import pointing at a module
 * (zeromq.js's own typings, or our entry), and its type errors are listed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { afterAll } from "vitest"

const CORE = new URL("../../", import.meta.url)

/** Where a compat test's modules are: our entries in src/, zeromq.js's in node_modules/zeromq/lib/. */
export const ourEntry = (name: string): string => fileURLToPath(new URL(`src/${name}.js`, CORE))
export const zeromqEntry = (name: string): string => fileURLToPath(new URL(`node_modules/zeromq/lib/${name}.js`, CORE))

/** A compiler for `program`: `typeErrors(module, name, source?)`; its temp dir goes after the file's tests. */
export function typedProgram(program: string): (module: string, name: string, source?: string) => string[] {
  const dir = mkdtempSync(join(tmpdir(), "zmqts-typings-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return (module, name, source = program) => {
    const file = join(dir, `${name}.ts`)
    writeFileSync(file, source.replace('"MODULE"', JSON.stringify(module)))
    const compiled = ts.createProgram([file], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
      types: ["node"],
      typeRoots: [fileURLToPath(new URL("node_modules/@types", CORE))],
      customConditions: ["@zmq-ts/source"],
      skipLibCheck: true,
      noEmit: true,
    })
    // Only the program's own diagnostics: it is the user's code that must compile.
    return ts
      .getPreEmitDiagnostics(compiled, compiled.getSourceFile(file))
      .map((diagnostic) => `${diagnostic.start ?? ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`)
  }
}
