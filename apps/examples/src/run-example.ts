/** `pnpm example <name> [args…]`: runs one example in this process, with the Guide's arguments. */
import { pathToFileURL } from "node:url"
import { catalog } from "./catalog.js"

const [name, ...args] = process.argv.slice(2)
const examples = catalog()
const example = name === undefined ? undefined : examples.get(name)
if (example === undefined) {
  if (name !== undefined) console.error(`unknown example ${JSON.stringify(name)}\n`)
  console.error("usage: pnpm example <name> [args…]\n")
  let group = ""
  for (const [key, entry] of examples) {
    if (entry.group !== group) {
      group = entry.group
      console.error(`${group}:`)
    }
    console.error(`  ${key}`)
  }
  process.exit(name === undefined ? 0 : 2)
}
// The example reads its arguments from process.argv as a standalone script would.
process.argv = [process.argv[0]!, example.file, ...args]
await import(pathToFileURL(example.file).href)
