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
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    reporters: ["default", "./scripts/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: { name: "packages", include: ["packages/*/test/**/*.test.ts"] },
      },
      {
        // The repository's own tooling (the layer check behind `pnpm lint`), on fixture trees.
        extends: true,
        test: { name: "scripts", include: ["scripts/test/**/*.test.ts"] },
      },
      {
        // The Guide's examples bind the Guide's fixed ports (5555, 5556, …): their end-to-end files run one
        // at a time so two of them never want the same port at once.
        extends: true,
        test: { name: "examples", include: ["apps/*/test/**/*.test.ts"], fileParallelism: false },
      },
    ],
  },
})
