import { defineConfig } from "vitest/config"

// The Chromium suite (CI-only: `pnpm test:browser` at the root, a step of .ci/run). Its files run one at a
// time: each launches one Chromium, and two at once on CI's two cores only make both slower.
// The test process's own zmq-ts (the Node servers) runs from the sources, as `pnpm test` does; the pages
// bundle the built packages (src/page-bundle.ts).
export default defineConfig({
  resolve: { conditions: ["@zmq-ts/source"] },
  ssr: { resolve: { conditions: ["@zmq-ts/source"], externalConditions: ["@zmq-ts/source"] } },
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["suite/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", ["../../scripts/summary-reporter.ts", { label: "chromium" }]],
  },
})
