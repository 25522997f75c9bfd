/** Verification failures of one soak process: a count, and the first few in words for the report. */
const KEPT = 10

export class Failures {
  count = 0
  readonly samples: string[] = []

  add(what: string): void {
    this.count++
    if (this.samples.length < KEPT) this.samples.push(what)
  }
}
