import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"
import root from "../../../../vitest.config.js"

/**
 * `pnpm test:faults`: the network fault harness (docs/reliability.md, "Network faults"), root only, never part of `pnpm test`
 * (its files end in .fault.ts, which the root config's *.test.ts globs do not match). Same source
 * conditions as the root config; one worker per file, each file with its own namespaces.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../../../..", import.meta.url)),
  resolve: root.resolve ?? {},
  ssr: root.ssr ?? {},
  test: {
    name: "faults",
    include: ["packages/core/test/faults/**/*.fault.ts"],
    pool: "forks",
    // Two cores: two files at a time (the long cuts run beside the short cases, not after them).
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ["default", "./packages/core/test/faults/table-reporter.ts", "./scripts/summary-reporter.ts"],
  },
})
