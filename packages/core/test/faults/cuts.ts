/**
 * The link-cut cases, shared by cut.fault.ts (1 s) and cut-long.fault.ts (30 s): every configuration
 * streams in its own namespace pair, all are cut at once, healed at once, then measured:
 *
 *   stream ──▶ cut (link down: vA down; blackhole: nft drop) for N s ──▶ heal ──▶ drain ──▶ stats
 *   detect  = first client `disconnect` after the cut (heartbeats: within heartbeatTimeout + one interval)
 *   recover = first echo (and first PUB tick: the subscription is back) after the heal
 *
 * Without heartbeats there is no bound of our own to hold to: the check is that zmq-ts does what libzmq
 * does, measured on a libzmq ↔ libzmq pair under the same cut in the same run.
 */
import type { TestContext } from "vitest"
import { HEARTBEAT, drain, integrityViolations, sleep, startScenario, stopScenario, type PairConfig, type RunningPair } from "./scenario.js"
import { recordRow } from "./table.js"

export type CutKind = "link-down" | "blackhole" | "address-removed"

export interface CutMeasure {
  readonly pair: RunningPair
  readonly kind: CutKind
  /** ms from the cut to the client's first disconnect, or undefined when it saw none. */
  readonly detectMs: number | undefined
  readonly serverDetectMs: number | undefined
  /** ms from the heal to the first echo / tick afterwards, or undefined when none came. */
  readonly recoverMs: number | undefined
  readonly tickRecoverMs: number | undefined
  readonly lost: number
  readonly sent: number
  readonly received: number
  readonly identities: readonly string[]
  readonly violations: readonly string[]
  /** The client's events relative to the cut (ms), and when the heal came: printed when a rule fails. */
  readonly timeline: string
}

/** Detection with heartbeats must come within heartbeatTimeout plus one PING interval, plus scheduling slack. */
export const DETECT_BOUND_MS = HEARTBEAT.heartbeatTimeout + HEARTBEAT.heartbeatInterval + 400

function firstAfter(lines: ReadonlyArray<{ ev: string; t: number; what?: string }>, match: (line: { ev: string; what?: string }) => boolean, since: number): number | undefined {
  const found = lines.find((line) => line.t >= since && match(line))
  return found === undefined ? undefined : found.t - since
}

/** Runs one cut of `kind` for `cutMs` over every configuration at once, returns the measures. */
export async function runCut(configs: readonly (PairConfig & { readonly kind: CutKind })[], cutMs: number): Promise<CutMeasure[]> {
  const pairs: RunningPair[] = []
  try {
    // A large send high-water mark on the echoing ROUTER: the backlog released by a heal must not hit it
    // (a ROUTER drops at the mark, libzmq's and ours alike), so every loss measured is the connection's.
    pairs.push(...(await Promise.all(configs.map((config) => startScenario({ ...config, serverOptions: { sendHighWaterMark: 100_000, ...config.serverOptions } })))))
    // Some steady streaming first, so the cut hits a busy connection.
    await sleep(1000)
    // Each pair's clock starts once its own fault is in place (applying them all takes tens of ms or more).
    const cutAt = pairs.map((pair, index) => {
      const kind = configs[index]!.kind
      if (kind === "blackhole") return pair.net.blackhole()
      if (kind === "link-down") pair.net.linkDown()
      else pair.net.removeAddressB()
      return Date.now()
    })
    await sleep(cutMs)
    // The heal's clock starts before it is applied: the first packet may pass before the `nft`/`ip` command
    // has returned (under load that command alone can take hundreds of ms).
    const healAt = pairs.map((pair) => {
      const at = Date.now()
      pair.net.heal()
      return at
    })
    // Recovery: wait (bounded) for the first echo after the heal on every pair, then a little streaming.
    await Promise.all(
      pairs.map((pair, index) =>
        pair.client.waitFor((line) => line.t >= healAt[index]! && line.ev === "resumed" && "what" in line && line.what === "reply", 60_000, "an echo after the heal").catch(() => undefined),
      ),
    )
    await sleep(1500)
    const outcomes = await Promise.all(pairs.map((pair) => drain(pair, 10_000)))
    return pairs.map((pair, index) => {
      const outcome = outcomes[index]!
      const lines = pair.client.lines as ReadonlyArray<{ ev: string; t: number; what?: string }>
      return {
        pair,
        kind: configs[index]!.kind,
        detectMs: firstAfter(lines, (line) => line.ev === "disconnect", cutAt[index]!),
        serverDetectMs: firstAfter(pair.server.lines, (line) => line.ev === "disconnect", cutAt[index]!),
        recoverMs: firstAfter(lines, (line) => line.ev === "resumed" && line.what === "reply", healAt[index]!),
        tickRecoverMs: firstAfter(lines, (line) => line.ev === "resumed" && line.what === "tick", healAt[index]!),
        lost: outcome.client.sent - outcome.client.received,
        sent: outcome.client.sent,
        received: outcome.client.received,
        identities: outcome.server.identities,
        violations: integrityViolations(outcome),
        timeline:
          `heal at +${healAt[index]! - cutAt[index]!} ms; client: ` +
          lines
            .filter((line) => line.t >= cutAt[index]! - 200 && line.ev !== "stats")
            .slice(0, 30)
            .map((line) => `${line.ev}${line.what === undefined ? "" : `:${line.what}`}@${line.t - cutAt[index]!}`)
            .join(" "),
      }
    })
  } finally {
    await Promise.all(pairs.map(stopScenario))
  }
}

const ms = (value: number | undefined): string => (value === undefined ? "none" : `${value} ms`)

export function describeMeasure(measure: CutMeasure): string {
  return (
    `client detect ${ms(measure.detectMs)}, server detect ${ms(measure.serverDetectMs)}, echoes back ${ms(measure.recoverMs)} after heal, ` +
    `ticks back ${ms(measure.tickRecoverMs)}; sent ${measure.sent}, echoed ${measure.received}, lost ${measure.lost}; routing ids seen ${measure.identities.length}`
  )
}

/** Records a row per measure and returns the failures; `rules` says what must hold for each. */
export function report(
  context: TestContext,
  measures: readonly CutMeasure[],
  cutMs: number,
  rules: (measure: CutMeasure) => { mustHold: string; problems: string[] },
): string[] {
  const failures: string[] = []
  for (const measure of measures) {
    const { mustHold, problems } = rules(measure)
    problems.push(...measure.violations)
    const setting = measure.pair.config.heartbeats
    const heartbeats =
      setting === true
        ? `heartbeats ${HEARTBEAT.heartbeatInterval}/${HEARTBEAT.heartbeatTimeout} ms`
        : setting === "client-only"
          ? `heartbeats ${HEARTBEAT.heartbeatInterval}/${HEARTBEAT.heartbeatTimeout} ms on the client only`
          : "no heartbeats"
    recordRow(context, {
      fault: `${measure.kind} ${cutMs / 1000} s, ${heartbeats}`,
      transport: measure.pair.config.transport,
      peers: measure.pair.peers,
      mustHold,
      measured: describeMeasure(measure),
      verdict: problems.length === 0 ? "ok" : problems.join("; "),
    })
    if (problems.length > 0) failures.push(`${measure.kind} ${measure.pair.peers} ${measure.pair.config.transport} ${heartbeats}: ${problems.join("; ")} [${measure.timeline}]`)
  }
  return failures
}

/** The measure of the libzmq ↔ libzmq reference for the same cut kind and heartbeat setting. */
export function reference(measures: readonly CutMeasure[], measure: CutMeasure): CutMeasure | undefined {
  return measures.find(
    (other) =>
      other.kind === measure.kind &&
      other.pair.config.client === "libzmq" &&
      other.pair.config.server === "libzmq" &&
      other.pair.config.transport === measure.pair.config.transport &&
      (other.pair.config.heartbeats ?? false) === (measure.pair.config.heartbeats ?? false),
  )
}

/** What must hold after a cut, per measure (see the file comment). */
export function cutRules(measures: readonly CutMeasure[], recoverBoundMs: number): (measure: CutMeasure) => { mustHold: string; problems: string[] } {
  return (measure: CutMeasure): { mustHold: string; problems: string[] } => {
    const problems: string[] = []
    const libzmq = reference(measures, measure)
    if (measure.recoverMs === undefined) problems.push("no echo after the heal")
    if (measure.tickRecoverMs === undefined) problems.push("no PUB tick after the heal (subscription not restored)")
    if (measure.pair.config.heartbeats === "client-only") {
      // The ROUTER still holds the old connection when the client comes back with the same routing id:
      // libzmq (no ROUTER_HANDOVER) refuses the newcomer until the old connection dies. Same bounds as libzmq.
      if (measure.detectMs === undefined) problems.push("the client never saw a disconnect")
      else if (measure.detectMs > DETECT_BOUND_MS) problems.push(`disconnect after ${measure.detectMs} ms > ${DETECT_BOUND_MS} ms`)
      const bound = Math.max(recoverBoundMs, (libzmq?.recoverMs ?? 0) + 2000)
      if (measure.recoverMs !== undefined && measure.recoverMs > bound) problems.push(`echoes back only after ${measure.recoverMs} ms > ${bound} ms`)
      if (libzmq !== undefined && measure.identities.length !== libzmq.identities.length) {
        problems.push(`ROUTER saw ${measure.identities.length} routing ids where libzmq's saw ${libzmq.identities.length}`)
      }
      return { mustHold: `client disconnect ≤ ${DETECT_BOUND_MS} ms; back ≤ max(${recoverBoundMs} ms, libzmq's + 2 s) after heal; routing ids as libzmq's; intact`, problems }
    }
    if (measure.pair.config.heartbeats === true) {
      if (measure.detectMs === undefined) problems.push("the client never saw a disconnect")
      else if (measure.detectMs > DETECT_BOUND_MS) problems.push(`disconnect after ${measure.detectMs} ms > ${DETECT_BOUND_MS} ms`)
      // A reconnect's SYN dropped by a blackhole waits for the kernel's SYN retransmission (1 s, 2 s, 4 s …):
      // libzmq waits the same way, so the bound is ours or libzmq's own time plus 2 s, whichever is larger.
      const bound = Math.max(recoverBoundMs, (libzmq?.recoverMs ?? 0) + 2000)
      if (measure.recoverMs !== undefined && measure.recoverMs > bound) problems.push(`echoes back only after ${measure.recoverMs} ms > ${bound} ms`)
      if (measure.identities.length !== 1) problems.push(`ROUTER saw ${measure.identities.length} routing ids`)
      return { mustHold: `disconnect ≤ ${DETECT_BOUND_MS} ms; back ≤ max(${recoverBoundMs} ms, libzmq's + 2 s) after heal; subscription back; one routing id; intact`, problems }
    }
    if (libzmq !== undefined && libzmq !== measure && (libzmq.detectMs === undefined) !== (measure.detectMs === undefined)) {
      problems.push(`disconnect ${measure.detectMs ?? "none"} where libzmq's was ${libzmq.detectMs ?? "none"}`)
    }
    if (measure.detectMs === undefined && measure.lost !== 0) problems.push(`${measure.lost} lost without a disconnect`)
    return { mustHold: "same as libzmq ↔ libzmq (disconnect or not); back after heal; no loss without a disconnect; intact", problems }
  }
}

