/** `pnpm start`: the README's main job — a short tour that runs by itself and exits 0. */
import { examples } from "./examples.js"

const tour = ["codec-demo"]
for (const name of tour) {
  const example = examples[name]
  if (example === undefined) throw new Error(`tour names unknown example ${name}`)
  console.log(`\n=== ${name}: ${example.description}\n`)
  await (await example.load()).main([])
}
console.log("\nDone.")
