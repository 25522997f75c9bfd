/**
 * Fast-check: XSUB → XPUB over inproc, any sequence of multipart messages mixing subscribe, cancel and data
 * frames, with `onlyFirstSubscribe` on or off (both sides alike). A model of libzmq's xsub.cpp and xpub.cpp
 * says which frames each side takes as subscriptions and what the XSUB passes upstream; after every
 * message both sides' `topicsCount`, and at the end the data frames the XPUB application received, agree.
 *
 *   a frame is a subscribe/cancel if it starts with 0x01/0x00 and it is the first frame, or
 *   onlyFirstSubscribe is off, or the message's first frame was one; the XSUB counts per topic and passes a
 *   cancel on only when it was the last (so the XPUB may see a message whose first frame differs)
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Context, XPublisher, XSubscriber } from "../../src/index.js"

type Part = { readonly kind: "sub" | "cancel"; readonly topic: string } | { readonly kind: "data"; readonly body: string }

const part: fc.Arbitrary<Part> = fc.oneof(
  fc.record({ kind: fc.constantFrom("sub" as const, "cancel" as const), topic: fc.constantFrom("", "a", "ab", "b") }),
  fc.record({ kind: fc.constant("data" as const), body: fc.constantFrom("", "d", "data", "ab") }),
)

function frame(p: Part): Buffer {
  if (p.kind === "data") return Buffer.from(p.body === "" ? "" : `x${p.body}`)
  return Buffer.concat([Buffer.of(p.kind === "sub" ? 1 : 0), Buffer.from(p.topic)])
}

describe("XSUB → XPUB multipart subscriptions (property)", () => {
  it.each([false, true])("onlyFirstSubscribe %s: topicsCount and data agree with libzmq's rules", async (onlyFirst) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(part, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }), async (messages) => {
        const context = new Context()
        const xpub = new XPublisher({ context, onlyFirstSubscribe: onlyFirst, receiveTimeout: 0 })
        const xsub = new XSubscriber({ context, onlyFirstSubscribe: onlyFirst })
        try {
          await xpub.bind("inproc://parts")
          xsub.connect("inproc://parts")
          const counts = new Map<string, number>() // the XSUB's subscriptions, counted
          const held = new Set<string>() // the XPUB's topics (one subscriber: held or not)
          const expectedData: string[] = []
          for (const message of messages) {
            // xsub.cpp: which frames are subscriptions, and what goes upstream (a cancel only when last).
            const forwarded: Part[] = []
            let processSubscribe = true
            message.forEach((p, i) => {
              if (i === 0) processSubscribe = !onlyFirst
              else if (!processSubscribe) {
                forwarded.push(p)
                return
              }
              if (p.kind === "data") {
                forwarded.push(p)
                return
              }
              processSubscribe = true
              const count = counts.get(p.topic) ?? 0
              if (p.kind === "sub") {
                counts.set(p.topic, count + 1)
                forwarded.push(p)
              } else if (count > 0) {
                counts.set(p.topic, count - 1)
                if (count === 1) forwarded.push(p)
              }
            })
            // xpub.cpp, on what arrived: the first frame decides for the rest with onlyFirstSubscribe.
            let upstream = true
            forwarded.forEach((p, i) => {
              const isSubscription = p.kind !== "data" && (i === 0 || upstream)
              if (i === 0) upstream = !onlyFirst || isSubscription
              if (!isSubscription) expectedData.push(frame(p).toString("latin1"))
              else if (p.kind === "sub") held.add(p.topic)
              else if (p.kind === "cancel") held.delete(p.topic)
            })
            await xsub.send(message.map(frame))
            expect(xsub.topicsCount).toBe([...counts.values()].filter((count) => count > 0).length)
            expect(xpub.topicsCount).toBe(held.size)
          }
          const receivedData: string[] = []
          for (;;) {
            let received: Buffer[]
            try {
              received = await xpub.receive()
            } catch {
              break
            }
            const first = received[0]!
            const isNotification = received.length === 1 && first.length > 0 && (first[0] === 0 || first[0] === 1)
            if (!isNotification) for (const f of received) receivedData.push(f.toString("latin1"))
          }
          expect(receivedData).toEqual(expectedData)
        } finally {
          xsub.close()
          xpub.close()
          context.terminate()
        }
      }),
      { numRuns: 60 },
    )
  })
})
