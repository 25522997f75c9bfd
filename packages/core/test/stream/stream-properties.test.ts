/**
 * Properties of STREAM, checked with fast-check over tcp and ipc: any byte sequences, cut into any chunks
 * and written by any number of concurrent raw connections, arrive whole and in order under each
 * connection's own routing id; and what the Stream sends to several connections, interleaved in any order,
 * reaches each of them whole and in order.
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { Stream } from "../../src/index.js"
import { collect, notification, RAW_TRANSPORTS, rawConnect, streamBindAddress } from "./raw-peers.js"

/** A byte sequence and where to cut it into the chunks it is written in. */
const chunkedBytes = fc
  .tuple(fc.uint8Array({ maxLength: 30_000 }), fc.array(fc.nat(), { maxLength: 12 }))
  .map(([bytes, cuts]) => {
    const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].sort((a, b) => a - b)
    const chunks: Buffer[] = []
    let start = 0
    for (const point of [...points, bytes.length]) {
      if (point > start) chunks.push(Buffer.from(bytes.subarray(start, point)))
      start = point
    }
    return { bytes: Buffer.from(bytes), chunks }
  })

const peers = fc.array(chunkedBytes, { minLength: 1, maxLength: 6 })

for (const transport of RAW_TRANSPORTS) {
  describe(`STREAM properties over ${transport}`, () => {
    it("delivers every connection's bytes whole and in order under its own routing id, however they are cut", async () => {
      await fc.assert(
        fc.asyncProperty(peers, async (senders) => {
          const stream = new Stream({ receiveTimeout: 5000, linger: 0 })
          const clients: Array<Awaited<ReturnType<typeof rawConnect>>> = []
          try {
            await stream.bind(streamBindAddress(transport))
            const ids: string[] = []
            for (let index = 0; index < senders.length; index++) {
              clients.push(await rawConnect(stream.lastEndpoint!))
              ids.push((await notification(stream)).toString("hex"))
            }
            // Every connection writes its chunks at once, each chunk its own write.
            for (const [index, sender] of senders.entries()) for (const chunk of sender.chunks) clients[index]!.write(chunk)
            const received = new Map<string, Buffer[]>(ids.map((id) => [id, []]))
            let remaining = senders.reduce((total, sender) => total + sender.bytes.length, 0)
            while (remaining > 0) {
              const [id, data] = await stream.receive()
              const chunks = received.get(id!.toString("hex"))
              if (chunks === undefined || data!.length === 0) throw new Error(`unexpected message from ${id!.toString("hex")}`)
              chunks.push(data!)
              remaining -= data!.length
            }
            for (const [index, sender] of senders.entries()) {
              const got = Buffer.concat(received.get(ids[index]!)!)
              if (!got.equals(sender.bytes)) throw new Error(`connection ${index}: ${got.length} bytes differ from the ${sender.bytes.length} sent`)
            }
          } finally {
            for (const client of clients) client.destroy()
            stream.close()
          }
        }),
        { numRuns: 25 },
      )
    })

    it("delivers what it sends to several connections, in any interleaving, whole and in order to each", async () => {
      await fc.assert(
        fc.asyncProperty(peers, fc.array(fc.nat(), { maxLength: 80 }), async (receivers, order) => {
          const stream = new Stream({ receiveTimeout: 5000, linger: 0 })
          const clients: Array<Awaited<ReturnType<typeof rawConnect>>> = []
          try {
            await stream.bind(streamBindAddress(transport))
            const ids: Buffer[] = []
            for (let index = 0; index < receivers.length; index++) {
              clients.push(await rawConnect(stream.lastEndpoint!))
              ids.push(await notification(stream))
            }
            const collected = clients.map((client) => collect(client))
            // Interleave the connections' chunks in the drawn order, each connection's own kept in sequence.
            const next = receivers.map(() => 0)
            const picks = [...order, ...receivers.flatMap((receiver, index) => receiver.chunks.map(() => index))]
            for (const pick of picks) {
              const index = pick % receivers.length
              const chunk = receivers[index]!.chunks[next[index]!]
              if (chunk === undefined) continue
              next[index]!++
              await stream.send([ids[index]!, chunk])
            }
            for (const [index, receiver] of receivers.entries()) {
              const got = await collected[index]!.atLeast(receiver.bytes.length)
              if (!got.equals(receiver.bytes)) throw new Error(`connection ${index}: ${got.length} bytes differ from the ${receiver.bytes.length} sent`)
            }
          } finally {
            for (const client of clients) client.destroy()
            stream.close()
          }
        }),
        { numRuns: 25 },
      )
    })
  })
}
