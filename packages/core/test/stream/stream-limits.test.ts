/**
 * STREAM under bad input: a raw peer sending 100 MB to a Stream that does not read (memory must stay
 * bounded: reading pauses at the receive high-water mark, and TCP pushes back on the peer), then all of it
 * arriving, in order, once the application reads; and 1,000 connections made and dropped, and 200
 * connect()/disconnect() calls, leaving no connection, routing id or handle behind.
 */
import { createHash } from "node:crypto"
import { once } from "node:events"
import { describe, expect, it } from "vitest"
import { Stream } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { notification, rawConnect, rawServer, streamBindAddress } from "./raw-peers.js"

/** Open tcp and Unix-socket handles of this process (Node's active resources). */
function openStreams(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap" || name === "PipeWrap" || name === "TCPWrap").length
}

describe("STREAM limits", () => {
  it("a peer sending 100 MB to a Stream that does not read is held back; reading later gets all of it in order", { timeout: 60_000 }, async () => {
    const stream = track(new Stream({ receiveTimeout: 10_000, linger: 0 }))
    await stream.bind(streamBindAddress("tcp"))
    const peer = await rawConnect(stream.lastEndpoint!)
    const id = await notification(stream)
    const chunk = Buffer.alloc(1024 * 1024)
    for (let index = 0; index < chunk.length; index++) chunk[index] = (index * 7) % 253
    const total = 100
    const expected = createHash("sha256")
    for (let index = 0; index < total; index++) expected.update(chunk)

    const baseline = process.memoryUsage().arrayBuffers
    let written = 0
    let peak = baseline
    let stalled: () => void = () => {}
    const stall = new Promise<void>((resolve) => (stalled = resolve))
    // Writes as TCP lets it (each write waits for 'drain' when the socket's buffer is full).
    const writing = (async () => {
      while (written < total) {
        written++
        if (peer.write(chunk)) continue
        const drained = once(peer, "drain")
        // No drain for 300 ms: the Stream has stopped reading (wait for it to be told to read again).
        const timer = setTimeout(() => stalled(), 300)
        await drained
        clearTimeout(timer)
        peak = Math.max(peak, process.memoryUsage().arrayBuffers)
      }
    })()
    await Promise.race([stall, writing])
    peak = Math.max(peak, process.memoryUsage().arrayBuffers)
    expect(written, "the peer got through 100 MB without the Stream reading").toBeLessThan(total)
    // The pipe holds at most RCVHWM (1000) chunks of at most 8 KiB: about 8 MB, plus what is in flight.
    expect(peak - baseline, `buffers grew ${((peak - baseline) / 1048576).toFixed(1)} MB`).toBeLessThan(48 * 1024 * 1024)

    const received = createHash("sha256")
    let bytes = 0
    while (bytes < total * chunk.length) {
      const [from, data] = await stream.receive()
      expect(from!.equals(id)).toBe(true)
      received.update(data!)
      bytes += data!.length
    }
    await writing
    expect(bytes).toBe(total * chunk.length)
    expect(received.digest("hex")).toBe(expected.digest("hex"))
  })

  it("1,000 connections made and dropped leave no routing id, peer or handle behind", { timeout: 60_000 }, async () => {
    const stream = track(new Stream({ receiveTimeout: 5000, sendTimeout: 0, linger: 0 }))
    await stream.bind(streamBindAddress("tcp"))
    const before = openStreams()
    const ids: Buffer[] = []
    for (let cycle = 0; cycle < 1000; cycle++) {
      const peer = await rawConnect(stream.lastEndpoint!)
      const id = await notification(stream)
      ids.push(id)
      // Half end politely, half reset.
      if (cycle % 2 === 0) peer.end()
      else peer.resetAndDestroy()
      expect((await notification(stream)).equals(id)).toBe(true)
      peer.destroy()
    }
    expect(new Set(ids.map((id) => id.toString("hex"))).size).toBe(1000)
    expect(stream.peerCount).toBe(0)
    for (const id of ids) await expect(stream.send([id, "anyone?"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
    // Every socket of those connections, ours and the peers', is closed.
    for (let turn = 0; openStreams() > before && turn < 200; turn++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(openStreams()).toBeLessThanOrEqual(before)
  })

  it("200 connect()/disconnect() calls on a Stream leave no connection or handle behind", { timeout: 60_000 }, async () => {
    const server = await rawServer("tcp")
    const stream = track(new Stream({ receiveTimeout: 5000, linger: 0 }))
    const before = openStreams()
    for (let cycle = 0; cycle < 200; cycle++) {
      stream.connect(server.address)
      const accepted = await server.connection(cycle)
      await notification(stream)
      const closed = once(accepted, "close")
      stream.disconnect(server.address)
      await closed
    }
    expect(stream.peerCount).toBe(0)
    for (let turn = 0; openStreams() > before + 200 && turn < 200; turn++) await new Promise((resolve) => setTimeout(resolve, 10))
    // The server's accepted sockets are closed too (each closed above); only the listener remains.
    expect(openStreams()).toBeLessThanOrEqual(before)
  })
})
