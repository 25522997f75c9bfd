import { defineConfig } from "tsup"
import manifest from "./package.json" with { type: "json" }
import { entriesFromExports } from "../../scripts/tsup-entries.js"

export default defineConfig({
  entry: entriesFromExports(manifest.exports),
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
})
