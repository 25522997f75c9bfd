import type { Reporter, TestModule } from "vitest/node"

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary, so CI
 * logs end with a count any tool can read. Failed modules (a file that could not even load) count as failed.
 * A suite of its own names its line with the `label` option (`["…/summary-reporter.ts", { label: "chromium" }]`).
 */
export default class SummaryReporter implements Reporter {
  readonly #label: string

  constructor(options: { readonly label?: string } = {}) {
    this.#label = options.label ?? "tests"
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = unhandledErrors.length
    let skipped = 0
    for (const module of testModules) {
      let tests = 0
      for (const test of module.children.allTests()) {
        tests++
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failed++
        else skipped++
      }
      if (tests === 0 && module.state() === "failed") failed++
    }
    process.stdout.write(`\n${this.#label}: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
