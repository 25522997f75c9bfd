/**
 * Argument checks with zeromq.js's TypeErrors (its native `Arg::Validator`): code that catches
 * `TypeError` on misuse, or compares the message, behaves the same.
 */

/** More arguments than a method takes: "Expected 1 argument but received 2". */
export function checkArgumentCount(expected: number, received: number): void {
  if (received <= expected) return
  throw new TypeError(`Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${received}`)
}

/** An endpoint argument that is not a string. */
export function checkAddress(address: unknown): asserts address is string {
  if (typeof address !== "string") throw new TypeError("Address must be a string")
}
