/**
 * `receiveData(chunk, receiver)` is the data-phase fast path: the same events as the array form, delivered
 * as they are decoded. For any messages, commands and chunking, both forms must agree event for event.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { nullMechanism, ZmtpConnection, type ZmtpEvent, type ZmtpReceiver } from "../src/index.js"

type Item = { kind: "message"; frames: number[][] } | { kind: "ping" } | { kind: "subscribe"; topic: number[] }

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("message" as const), frames: fc.array(fc.array(fc.nat(255), { maxLength: 300 }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "ping" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("subscribe" as const), topic: fc.array(fc.nat(255), { maxLength: 10 }) }) },
)

/** What the peer (a SUB, which may send messages, subscriptions and pings) puts on the wire, handshake included. */
function wire(items: Item[]): Uint8Array {
  const sender = new ZmtpConnection({ socketType: "XSUB", mechanism: nullMechanism() })
  const receiver = new ZmtpConnection({ socketType: "XPUB", mechanism: nullMechanism() })
  const out: number[] = []
  // Handshake: everything the sender says goes on the record; the receiver only answers it.
  for (let i = 0; i < 3; i++) {
    const said = sender.dataToSend()
    out.push(...said)
    receiver.receiveData(said)
    sender.receiveData(receiver.dataToSend())
  }
  for (const entry of items) {
    if (entry.kind === "message") sender.send(entry.frames.map((frame) => Uint8Array.from(frame)))
    else if (entry.kind === "ping") sender.ping(0)
    else sender.subscribe(Uint8Array.from(entry.topic))
    out.push(...sender.dataToSend())
  }
  return Uint8Array.from(out)
}

function plain(events: ZmtpEvent[]): unknown[] {
  return events.map((event) =>
    event.type === "message" ? { message: event.frames.map((frame) => [...frame]) } : event.type === "ready" ? "ready" : { [event.type]: [...((event as { topic?: Uint8Array; context?: Uint8Array }).topic ?? (event as { context?: Uint8Array }).context ?? [])] },
  )
}

describe("receiveData with a receiver", () => {
  it("delivers exactly the events of the array form, in order, under any chunking", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), (items, cuts) => {
        const bytes = wire(items)
        const arrays = new ZmtpConnection({ socketType: "XPUB", mechanism: nullMechanism() })
        const streamed = new ZmtpConnection({ socketType: "XPUB", mechanism: nullMechanism() })
        const expected: ZmtpEvent[] = []
        const got: ZmtpEvent[] = []
        const receiver: ZmtpReceiver = {
          frame: (body) => got.push({ type: "message", frames: [Uint8Array.from(body)] }),
          message: (frames) => got.push({ type: "message", frames: frames.map((frame) => Uint8Array.from(frame)) }),
          event: (event) => got.push(event),
        }
        let pos = 0
        for (let i = 0; pos < bytes.length; i++) {
          const size = cuts[i % cuts.length]!
          const chunk = bytes.subarray(pos, pos + size)
          expected.push(...arrays.receiveData(chunk))
          expect(streamed.receiveData(chunk, receiver)).toEqual([])
          pos += size
        }
        expect(plain(got)).toEqual(plain(expected))
        // Everything arrived (a one-frame message starting 0x00/0x01 is a subscription to an XPUB, RFC 29).
        expect(got).toHaveLength(expected.length)
        expect(expected.length).toBeGreaterThanOrEqual(1 + items.length)
      }),
      { numRuns: 200 },
    )
  })

  it("reports a peer's protocol error to the receiver as the last event", () => {
    const connection = new ZmtpConnection({ socketType: "PULL", mechanism: nullMechanism() })
    const events: ZmtpEvent[] = []
    connection.receiveData(new Uint8Array([0x47, 0x45, 0x54]), { frame: () => {}, message: () => {}, event: (event) => events.push(event) })
    expect(events.map((event) => event.type)).toEqual(["error"])
  })
})
