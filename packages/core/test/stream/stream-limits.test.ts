/**
 * STREAM under bad input: a raw peer sending 100 MB to a Stream that does not read (memory must stay
 * bounded: reading pauses at the receive high-water mark, and TCP pushes back on the peer), then all of it
 * arriving, in order, once the application reads; and 1,000 connections made and dropped, and 200
 * connect()/disconnect() calls, leaving no connection, routing id or handle behind.
 */
import { createHash } from "node:crypto"
import { once } from "node:events"
import { connect, type Socket as NetSocket } from "node:net"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "vitest"
import { Stream } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { notification, rawConnect, rawServer, streamBindAddress } from "./raw-peers.js"

/** `gc()`, made available at run time (vitest's workers run without --expose-gc). */
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** The heap in use once garbage is collected (after the sockets' close callbacks have run). */
async function heapAfterGc(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50))
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

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

  it("1,000 connections made and dropped leave no routing id, peer, handle or memory behind", { timeout: 60_000 }, async () => {
    const stream = track(new Stream({ receiveTimeout: 5000, sendTimeout: 0, linger: 0 }))
    await stream.bind(streamBindAddress("tcp"))
    const before = openStreams()
    const ids: Buffer[] = []
    // Peers not kept by the test's cleanup list (it would hold 1,000 sockets): each is destroyed in its cycle.
    const open = new Set<NetSocket>()
    afterThisTest(() => {
      for (const peer of open) peer.destroy()
    })
    const port = Number(stream.lastEndpoint!.slice(stream.lastEndpoint!.lastIndexOf(":") + 1))
    const cycle = async (index: number): Promise<void> => {
      const peer = connect(port, "127.0.0.1")
      open.add(peer)
      peer.once("close", () => open.delete(peer))
      await once(peer, "connect")
      const id = await notification(stream)
      ids.push(id)
      // Half end politely, half reset.
      if (index % 2 === 0) peer.end()
      else peer.resetAndDestroy()
      expect((await notification(stream)).equals(id)).toBe(true)
      peer.destroy()
    }
    for (let index = 0; index < 100; index++) await cycle(index) // warm up (JIT, pools)
    const heapBefore = await heapAfterGc()
    for (let index = 100; index < 1000; index++) await cycle(index)
    const heapGrowth = (await heapAfterGc()) - heapBefore
    // A session, pipe, engine and net.Socket kept per connection would be several MB over 900 of them.
    expect(heapGrowth, `heap grew ${(heapGrowth / 1048576).toFixed(2)} MB`).toBeLessThan(2 * 1024 * 1024)
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
