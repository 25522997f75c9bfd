import { readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Where the examples live: one file per Guide example, grouped by chapter, named as in the Guide. */
export const EXAMPLE_GROUPS = ["chapter1", "chapter2", "chapter3", "chapter4", "patterns", "extras"] as const

const sourceDir = fileURLToPath(new URL(".", import.meta.url))

/** Every example name → its file, found on disk so that adding an example needs no registry edit. */
export function catalog(): Map<string, { group: string; file: string }> {
  const out = new Map<string, { group: string; file: string }>()
  for (const group of EXAMPLE_GROUPS) {
    let files: string[]
    try {
      files = readdirSync(`${sourceDir}${group}`)
    } catch {
      continue
    }
    for (const file of files.sort()) {
      if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue
      out.set(file.slice(0, -3), { group, file: `${sourceDir}${group}/${file}` })
    }
  }
  return out
}

/** tsx's loader, resolved from this package so an example can be started from any working directory. */
const tsxLoader = import.meta.resolve("tsx")

/** The command line that runs an example as its own process (signals reach it directly; no tsx CLI in between). */
export function exampleCommand(file: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, ["--conditions=@zmq-ts/source", "--import", tsxLoader, file, ...args]]
}
