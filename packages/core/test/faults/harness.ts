/**
 * What every *.fault.ts file shares: skip (with the reason) where the machine cannot make namespaces,
 * sweep what crashed earlier runs left, and tear everything down after the file, pass or fail.
 */
import { afterAll, beforeAll } from "vitest"
import { destroyAll, sweepStale, unavailableReason } from "./netns.js"
import { killAllPeers } from "./peers.js"

/** Why the fault cases cannot run here, or undefined. Printed once per file when they skip. */
export const SKIP_REASON = unavailableReason()

if (SKIP_REASON !== undefined) {
  // CI runs as root with iproute2 and nftables: there the suite must run, never skip quietly.
  if (process.env["CI"] === "true") throw new Error(`the fault harness cannot run in CI: ${SKIP_REASON}`)
  process.stderr.write(`fault harness skipped: ${SKIP_REASON}\n`)
}

export function useHarness(): void {
  beforeAll(() => {
    if (SKIP_REASON !== undefined) return
    const swept = sweepStale()
    if (swept.length > 0) process.stderr.write(`fault harness: removed stale namespaces ${swept.join(", ")}\n`)
  })
  afterAll(async () => {
    await killAllPeers()
    destroyAll()
  })
}
