import type { Reporter, TestModule } from "vitest/node"

/** Ends the suite's output with one line CI can read: `chromium: N passed, N failed, N skipped`. */
export default class ChromiumSummaryReporter implements Reporter {
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
    process.stdout.write(`\nchromium: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
