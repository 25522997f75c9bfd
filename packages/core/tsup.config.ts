import { defineConfig } from "tsup"
import manifest from "./package.json" with { type: "json" }
import { entriesFromExports } from "../../scripts/tsup-entries.js"

export default defineConfig({
  entry: entriesFromExports(manifest.exports),
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // One copy of the core for every entry in CommonJS too (tsup splits ESM by itself): @zmq-ts/core/draft
  // shares Socket, Context and the default context with @zmq-ts/core, as its classes must.
  splitting: true,
  target: "es2022",
  platform: "node",
  // Entries written on the public API (v5-compat) import it by the package's name: left external, every
  // entry shares one copy of the core and its state (default context, transports) in ESM and CommonJS alike.
  external: [manifest.name],
})
