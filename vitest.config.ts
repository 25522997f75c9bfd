import { defineConfig } from "vitest/config"

// Every package's tests run against its TypeScript sources: the "@zmq-ts/source" export condition
// points each workspace package at src/index.ts, so `pnpm test` needs no build.
export default defineConfig({
  resolve: {
    conditions: ["@zmq-ts/source"],
  },
  ssr: {
    resolve: {
      conditions: ["@zmq-ts/source"],
      externalConditions: ["@zmq-ts/source"],
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
})
