/**
 * Property: under any sequence of joins, leaves and sends, a DISH receives exactly the messages sent to
 * the groups it had joined when they were sent, in order, each with its group, and nothing else; a
 * duplicate join or a leave of a group not joined fails with EINVAL and changes nothing. Over inproc, where
 * a JOIN reaches the RADIO at once, and over tcp, where the test waits for each JOIN to take effect (a probe
 * in the group comes through) before going on.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Dish, Radio } from "../../src/draft.js"
import { ZmqError } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { settlesWithin, until } from "../helpers/transports.js"

type Op = { kind: "join"; group: string } | { kind: "leave"; group: string } | { kind: "send"; group: string; body: string }

const GROUPS = ["", "a", "b", "movies", "é", "g".repeat(255)]
const group = fc.constantFrom(...GROUPS)
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("join" as const), group }),
  fc.record({ kind: fc.constant("leave" as const), group }),
  fc.record({ kind: fc.constant("send" as const), group, body: fc.string({ maxLength: 20 }) }),
)

function codeOf(action: () => void): string | undefined {
  try {
    action()
    return undefined
  } catch (error) {
    if (ZmqError.isInstance(error)) return error.code
    throw error
  }
}

let counter = 0

async function run(ops: readonly Op[], transport: "inproc" | "tcp"): Promise<void> {
  const radio = track(new Radio({ linger: 0 }))
  const dish = track(new Dish({ receiveTimeout: 5000 }))
  if (transport === "inproc") {
    await dish.bind(`inproc://radio-dish-property-${++counter}`)
  } else {
    await dish.bind("tcp://127.0.0.1:*")
  }
  radio.connect(dish.lastEndpoint!)
  // A group of the test's own: a marker sent to it arrives after everything the radio sent before it.
  const SYNC = "\u0001sync"
  dish.join(SYNC)
  const joined = new Set<string>()
  let markers = 0
  const sync = async (): Promise<void> => {
    const marker = ++markers
    for (let seen = 0; seen < marker; ) {
      await radio.send(String(marker), { group: SYNC })
      await settlesWithin(until(() => dish.readable, 50), 100)
      while (dish.readable) {
        const [body, { group }] = await dish.receive()
        if (group.toString() === SYNC) seen = Number(body.toString())
        else record(group, body)
      }
    }
  }
  const expected: Array<[string, string]> = []
  const received: Array<[string, string]> = []
  /** A message the test sent (not a probe or a marker of its own). */
  const record = (group: Buffer, body: Buffer): void => {
    if (group.toString() !== SYNC && !body.toString().startsWith("\u0000probe")) received.push([group.toString(), body.toString()])
  }
  const drain = async (): Promise<void> => {
    while (dish.readable) {
      const [body, { group }] = await dish.receive()
      record(group, body)
    }
  }
  for (const step of ops) {
    if (step.kind === "join") {
      const code = codeOf(() => dish.join(step.group))
      expect(code).toBe(joined.has(step.group) ? "EINVAL" : undefined)
      if (code !== undefined) continue
      joined.add(step.group)
      if (transport === "tcp") {
        // The JOIN has reached the radio once a probe sent to the group comes back through the dish.
        for (let probes = 0; !dish.readable; probes++) {
          await radio.send(`\u0000probe ${probes}`, { group: step.group })
          await settlesWithin(until(() => dish.readable, 50), 100)
        }
      }
    } else if (step.kind === "leave") {
      const code = codeOf(() => dish.leave(step.group))
      expect(code).toBe(joined.has(step.group) ? undefined : "EINVAL")
      if (code === undefined) joined.delete(step.group)
    } else {
      await radio.send(step.body, { group: step.group })
      if (joined.has(step.group)) expected.push([step.group, step.body])
    }
    // Receive now what has come: a message must be read while its group is still joined, and one the radio
    // sent to a group being left must have come and gone before the group may be joined again.
    if (transport === "tcp" && step.kind === "send") await sync()
    await drain()
  }
  // Nothing more is on its way once a last marker has come through.
  await sync()
  expect(received).toEqual(expected)
}

describe("RADIO/DISH property", () => {
  it("inproc: exactly the joined groups' messages, under any join/leave/send sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), (ops) => run(ops, "inproc")),
      { numRuns: 150, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true },
    )
  }, 30_000)

  it("tcp: exactly the joined groups' messages, under any join/leave/send sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), (ops) => run(ops, "tcp")),
      { numRuns: 20, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: true },
    )
  }, 60_000)
})
