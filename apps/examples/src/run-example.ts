/** `pnpm example <name> [args…]`: runs one example in this process, with the Guide's arguments. */
import { examples } from "./examples.js"

const [name, ...args] = process.argv.slice(2)
const example = name === undefined ? undefined : examples[name]
if (example === undefined) {
  if (name !== undefined) console.error(`unknown example ${JSON.stringify(name)}\n`)
  console.error("usage: pnpm example <name> [args…]\n\nexamples:")
  for (const [key, { description }] of Object.entries(examples)) console.error(`  ${key.padEnd(14)} ${description}`)
  process.exit(name === undefined ? 0 : 2)
}
await (await example.load()).main(args)
