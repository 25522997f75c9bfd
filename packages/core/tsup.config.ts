import { defineConfig } from "tsup"
import manifest from "./package.json" with { type: "json" }
import { browserEntriesFromExports, entriesFromExports } from "../../scripts/tsup-entries.js"

// `pnpm build` runs tsup twice: the Node build, then (ZMQ_TS_BUILD=browser) the browser one into
// dist/browser/, after the first has cleaned dist/ (two configs at once would race on the clean).
const browser = process.env["ZMQ_TS_BUILD"] === "browser"

export default browser
  ? defineConfig({
      // The same sources under the `browser` condition: "#platform/*" and "#transports/*" resolve to their
      // .browser.ts twins, so nothing in it imports node:* (decision 0014). ESM only, as bundlers take it;
      // the declarations are the Node build's (the API is the same).
      entry: browserEntriesFromExports(manifest.exports),
      outDir: "dist/browser",
      format: ["esm"],
      dts: false,
      sourcemap: true,
      clean: false,
      splitting: true,
      target: "es2022",
      platform: "browser",
      esbuildOptions(options) {
        options.conditions = ["browser"]
      },
      external: [manifest.name],
    })
  : defineConfig({
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
