/**
 * PUB/SUB, XPUB/XSUB interop with real libzmq 4.3.5 (through zeromq.js 6.8) and with ZMTP 3.0 peers, over
 * tcp and ipc.
 *
 *   our PUB ────────────▶ libzmq SUB          either side binds; prefix filtering, multipart whole
 *   libzmq PUB ─────────▶ our SUB
 *
 *   libzmq PUB ──▶ relay ──▶ our SUB          a byte-counting relay in the middle shows that messages the
 *   our PUB ─────▶ relay ──▶ libzmq SUB       subscriber did not subscribe to never cross the wire
 *
 *   libzmq SUB ──▶ our XPUB / libzmq XPUB     the same subscribe/cancel script, the same notifications
 *
 *   libzmq PUB ──▶ our XSUB ═══ Proxy ═══ our XPUB ──▶ libzmq SUB
 *   our PUB ──▶ libzmq XSUB ═ zmq.Proxy ═ libzmq XPUB ──▶ our SUB
 *
 *   raw ZMTP 3.0 SUB (ZmtpConnection, minor 0) ──▶ our PUB      subscriptions as 0x01/0x00 messages
 *   our SUB ──▶ raw ZMTP 3.0 PUB                                our SUB downgrades: the bytes are asserted
 */
import { createHash } from "node:crypto"
import { existsSync, unlinkSync } from "node:fs"
import { connect as netConnect, createServer, type NetConnectOpts, type Server, type Socket as NetSocket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as delay } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { ZmtpConnection, type ZmtpEvent } from "@zmq-ts/zmtp"
import { Proxy, Publisher, Subscriber, XPublisher, XSubscriber } from "../src/index.js"

type Transport = "tcp" | "ipc"
const TRANSPORTS: readonly Transport[] = ["tcp", "ipc"]
const TIMEOUT = 5000

// ── resources ──────────────────────────────────────────────────────────────────────────────────────

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup()
    } catch {
      // already closed
    }
  }
})

function track<S extends { close(): void }>(socket: S): S {
  cleanups.push(() => socket.close())
  return socket
}

let counter = 0
function ipcPath(): string {
  const path = join(tmpdir(), `zmq-ts-pubsub-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}.sock`)
  cleanups.push(() => existsSync(path) && unlinkSync(path))
  return path
}

function bindAddress(transport: Transport): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${ipcPath()}`
}

function endpointOf(socket: { readonly lastEndpoint: string | null }): string {
  if (socket.lastEndpoint === null) throw new Error("not bound")
  return socket.lastEndpoint
}

/** `net` options to reach a zmq endpoint. */
function netOptions(endpoint: string): NetConnectOpts {
  if (endpoint.startsWith("ipc://")) return { path: endpoint.slice(6) }
  const match = /^tcp:\/\/([^:]+):(\d+)$/.exec(endpoint)
  if (match === null) throw new Error(`unsupported endpoint ${endpoint}`)
  return { host: match[1]!, port: Number(match[2]) }
}

/** Listens on a fresh address of `transport`; resolves with the zmq endpoint to connect to. */
async function listen(server: Server, transport: Transport): Promise<string> {
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  if (transport === "tcp") {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`
  }
  const path = ipcPath()
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return `ipc://${path}`
}

// ── peers of either library, behind one shape ──────────────────────────────────────────────────────

type Frames = Array<Buffer | string>
interface Sender {
  send(message: Frames): Promise<void>
}
interface Receiver {
  receive(): Promise<Buffer[]>
}
interface SubscriberLike extends Receiver {
  subscribe(...prefixes: Array<string | Buffer>): void
  unsubscribe(...prefixes: Array<string | Buffer>): void
}

type Library = "ours" | "libzmq"

function publisher(library: Library): Sender & { bind(address: string): Promise<void>; connect(address: string): void; readonly lastEndpoint: string | null } {
  return library === "ours" ? track(new Publisher({ sendTimeout: TIMEOUT })) : track(new zmq.Publisher({ linger: 0, sendTimeout: TIMEOUT }))
}

function subscriber(library: Library): SubscriberLike & { bind(address: string): Promise<void>; connect(address: string): void; readonly lastEndpoint: string | null } {
  return library === "ours" ? track(new Subscriber({ receiveTimeout: TIMEOUT })) : track(new zmq.Subscriber({ linger: 0, receiveTimeout: TIMEOUT }))
}

/** Frame lengths and hashes: cheap to compare for large frames, a readable diff when they differ. */
function digest(message: readonly Buffer[]): string[] {
  return message.map((frame) => `${frame.length}:${createHash("sha1").update(frame).digest("hex").slice(0, 12)}`)
}

function text(message: readonly Buffer[]): string[] {
  return message.map((frame) => frame.toString("latin1"))
}

/**
 * Publishes numbered probes on `topic` until every subscriber has one, then an "end" probe, and reads each
 * subscriber up to it: afterwards the publisher applies every subscription sent before `topic`'s, and no
 * probe is left to read. (Never two receives at once: zeromq.js refuses that with EBUSY.)
 */
async function probe(pub: Sender, subs: readonly Receiver[], topic: string): Promise<void> {
  const topicFrame = Buffer.from(topic, "latin1")
  const arrived = subs.map(() => false)
  const firsts = subs.map((sub, k) => {
    const receiving = sub.receive()
    receiving.then(
      () => (arrived[k] = true),
      () => {},
    )
    return receiving
  })
  const deadline = Date.now() + TIMEOUT
  for (let n = 0; !arrived.every(Boolean); n++) {
    if (Date.now() > deadline) throw new Error(`probe on ${topic}: ${arrived.filter(Boolean).length} of ${subs.length} subscribers reached`)
    await pub.send([topicFrame, `probe-${n}`])
    await delay(n < 5 ? 2 : 10)
  }
  for (const first of firsts) expect(text(await first)[0]).toBe(topic)
  await pub.send([topicFrame, "end"])
  for (const sub of subs) while (text(await sub.receive())[1] !== "end") {}
}

async function receiveTopics(sub: Receiver, count: number): Promise<string[]> {
  const out: string[] = []
  while (out.length < count) out.push(text(await sub.receive())[0]!)
  return out
}

// ── a byte-counting relay ──────────────────────────────────────────────────────────────────────────

interface Relay {
  /** Where the subscriber connects. */
  readonly address: string
  /** Bytes that went from the publisher toward the subscriber so far. */
  readonly downstream: () => number
}

/**
 * A transparent relay: accepts a connection and opens one to `target`, copying bytes both ways. The
 * subscriber connects to it instead of to the publisher, so `downstream()` is everything the publisher put
 * on the wire for that subscriber.
 */
async function startRelay(transport: Transport, target: string): Promise<Relay> {
  let downstream = 0
  const streams = new Set<NetSocket>()
  const server = createServer((client) => {
    const upstream = netConnect(netOptions(target))
    streams.add(client).add(upstream)
    upstream.on("data", (chunk: Buffer) => (downstream += chunk.length))
    upstream.pipe(client)
    client.pipe(upstream)
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const stream of [client, upstream]) stream.on("close", end).on("error", end)
  })
  cleanups.push(() => {
    for (const stream of streams) stream.destroy()
  })
  const address = await listen(server, transport)
  return { address, downstream: () => downstream }
}

// ── a raw ZMTP peer over `net` ─────────────────────────────────────────────────────────────────────

/** A ZmtpConnection driven over a net.Socket by hand: records the raw bytes and the events. */
class RawPeer {
  readonly events: ZmtpEvent[] = []
  /** Every byte received from the other side, in order. */
  readonly bytes: Buffer[] = []

  constructor(
    readonly zmtp: ZmtpConnection,
    readonly stream: NetSocket,
  ) {
    cleanups.push(() => stream.destroy())
    stream.on("data", (chunk: Buffer) => {
      this.bytes.push(Buffer.from(chunk))
      this.events.push(...zmtp.receiveData(chunk))
      this.flush()
    })
    this.flush() // the greeting
  }

  /** Writes what the codec has queued; returns those bytes. */
  flush(): Buffer {
    const out = Buffer.from(this.zmtp.dataToSend())
    if (out.length > 0) this.stream.write(out)
    return out
  }

  get messages(): string[][] {
    return this.events.flatMap((event) => (event.type === "message" ? [event.frames.map((frame) => Buffer.from(frame).toString("latin1"))] : []))
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + TIMEOUT
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`raw peer: ${what} did not happen within ${TIMEOUT} ms`)
      await delay(2)
    }
  }
}

/** ZMTP frames of a byte stream after its 64-byte greeting (RFC 23): flags, then a 1- or 8-byte size, then the body. */
function parseFrames(stream: Buffer): { greeting: Buffer; frames: Array<{ command: boolean; more: boolean; body: Buffer }> } {
  const frames: Array<{ command: boolean; more: boolean; body: Buffer }> = []
  let at = 64
  while (at < stream.length) {
    const flags = stream[at]!
    const long = (flags & 0x02) !== 0
    const size = long ? Number(stream.readBigUInt64BE(at + 1)) : stream[at + 1]!
    const start = at + (long ? 9 : 2)
    frames.push({ command: (flags & 0x04) !== 0, more: (flags & 0x01) !== 0, body: stream.subarray(start, start + size) })
    at = start + size
  }
  return { greeting: stream.subarray(0, 64), frames }
}

// ── tests ──────────────────────────────────────────────────────────────────────────────────────────

for (const transport of TRANSPORTS) {
  describe(`PUB/SUB with libzmq over ${transport}`, () => {
    for (const [pubLibrary, subLibrary] of [
      ["ours", "libzmq"],
      ["libzmq", "ours"],
    ] as const) {
      for (const binder of ["PUB", "SUB"] as const) {
        it(`${pubLibrary} PUB → ${subLibrary} SUB, the ${binder} binds: prefix filtering, multipart whole`, async () => {
          const pub = publisher(pubLibrary)
          const sub = subscriber(subLibrary)
          if (binder === "PUB") {
            await pub.bind(bindAddress(transport))
            sub.connect(endpointOf(pub))
          } else {
            await sub.bind(bindAddress(transport))
            pub.connect(endpointOf(sub))
          }
          sub.subscribe("wea", Buffer.from([0xff]))
          await probe(pub, [sub], "wea-sync")

          const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff))
          const sent: Frames[] = [
            ["weather", "sunny", big],
            ["we", "x"],
            ["xwea", "wea"],
            [Buffer.from([0xff, 0x00]), Buffer.alloc(0), "binary"],
            ["WEA"],
            ["wea"],
          ]
          for (const message of sent) await pub.send(message)
          const expected = [sent[0]!, sent[3]!, sent[5]!].map((message) => message.map((frame) => Buffer.from(frame as string | Buffer)))
          const received: Buffer[][] = []
          for (const _ of expected) received.push(await sub.receive())
          expect(received.map(digest)).toEqual(expected.map(digest))

          sub.unsubscribe("wea")
          await probe(pub, [sub], "\xff-sync") // the cancel was sent before this probe's topic matched
          await pub.send(["weather", "2"])
          await pub.send([Buffer.from([0xff]), "last"])
          expect(text(await sub.receive())).toEqual(["\xff", "last"])
        })
      }

      it(`${pubLibrary} PUB filters for a ${subLibrary} SUB: unsubscribed messages never cross the wire`, async () => {
        // Method: each SUB reaches the PUB through its own byte-counting relay, so the relay sees exactly
        // what the PUB wrote for that subscriber. The PUB publishes 100 messages of 64 KiB that the "rare"
        // subscriber did not subscribe to, then one it did. A stream is ordered: when that last message has
        // reached the subscriber, every byte the PUB wrote before it has crossed the relay. Publisher-side
        // filtering means the rare relay carried only the last message; the control subscriber (everything)
        // shows that the relay does see the 6.4 MB when they are sent.
        const pub = publisher(pubLibrary)
        await pub.bind(bindAddress(transport))
        const rareRelay = await startRelay(transport, endpointOf(pub))
        const controlRelay = await startRelay(transport, endpointOf(pub))
        const rare = subscriber(subLibrary)
        const control = subscriber(subLibrary)
        rare.connect(rareRelay.address)
        control.connect(controlRelay.address)
        rare.subscribe("rare")
        control.subscribe("")
        await probe(pub, [rare, control], "rare-sync")

        const rareBefore = rareRelay.downstream()
        const controlBefore = controlRelay.downstream()
        const count = 100
        const size = 64 * 1024
        const payload = Buffer.alloc(size, 1)
        for (let i = 0; i < count; i++) await pub.send(["common", payload])
        await pub.send(["rare", "end"])
        expect(text(await rare.receive())).toEqual(["rare", "end"])
        expect(await receiveTopics(control, count + 1)).toEqual([...Array<string>(count).fill("common"), "rare"])

        expect(rareRelay.downstream() - rareBefore).toBeLessThan(64) // one frame pair: "rare" + "end"
        expect(controlRelay.downstream() - controlBefore).toBeGreaterThanOrEqual(count * size)
      })
    }

    for (const verbosity of [null, "allSubs", "allSubsUnsubs"] as const) {
      it(`a libzmq SUB's subscribe/cancel script gives the same notifications on our XPUB as on libzmq's (verbosity ${verbosity})`, async () => {
        const script = async (xpub: Receiver & { bind(address: string): Promise<void>; readonly lastEndpoint: string | null }): Promise<string[]> => {
          await xpub.bind(bindAddress(transport))
          const subA = track(new zmq.Subscriber({ linger: 0 }))
          const subB = track(new zmq.Subscriber({ linger: 0 }))
          subA.connect(endpointOf(xpub))
          subB.connect(endpointOf(xpub))
          const seen: string[] = []
          const next = async (): Promise<string> => {
            const [frame] = await xpub.receive()
            const note = `${frame![0] === 1 ? "+" : "-"}${frame!.subarray(1).toString()}`
            seen.push(note)
            return note
          }
          const upTo = async (marker: string): Promise<void> => {
            while ((await next()) !== marker) {}
          }
          subA.subscribe("a")
          subA.subscribe("a") // twice: needs two cancels
          subA.subscribe("m1")
          await upTo("+m1")
          subB.subscribe("a")
          subB.subscribe("m2")
          await upTo("+m2")
          subA.unsubscribe("a")
          subA.subscribe("m3")
          await upTo("+m3")
          subA.unsubscribe("a")
          subA.subscribe("m4")
          await upTo("+m4")
          subB.unsubscribe("a")
          subB.subscribe("m5")
          await upTo("+m5")
          return seen
        }
        const ours = await script(track(new XPublisher({ verbosity, receiveTimeout: TIMEOUT })))
        const theirs = await script(track(new zmq.XPublisher({ linger: 0, receiveTimeout: TIMEOUT, verbosity })))
        expect(ours).toEqual(theirs)
        // And what libzmq does, spelled out: a topic appears once and goes once unless verbose.
        if (verbosity === null) expect(ours).toEqual(["+a", "+m1", "+m2", "+m3", "+m4", "-a", "+m5"])
      })
    }

    it("our XSUB/XPUB Proxy between a libzmq PUB and a libzmq SUB", async () => {
      const pub = track(new zmq.Publisher({ linger: 0 }))
      await pub.bind(bindAddress(transport))
      const xsub = track(new XSubscriber())
      const xpub = track(new XPublisher())
      xsub.connect(endpointOf(pub))
      await xpub.bind(bindAddress(transport))
      const proxy = new Proxy(xsub, xpub)
      const running = proxy.run()
      cleanups.push(async () => {
        proxy.terminate()
        await running
      })
      const subA = track(new zmq.Subscriber({ linger: 0, receiveTimeout: TIMEOUT }))
      const subB = track(new zmq.Subscriber({ linger: 0, receiveTimeout: TIMEOUT }))
      subA.connect(endpointOf(xpub))
      subB.connect(endpointOf(xpub))
      subA.subscribe("a")
      subB.subscribe("b")
      // A probe reaches a SUB only once its subscription went SUB → our XPUB → Proxy → our XSUB → libzmq PUB.
      await probe(pub, [subA], "a")
      await probe(pub, [subB], "b")
      for (const topic of ["a1", "b1", "c1", "a2"]) await pub.send([topic, "x"])
      expect(await receiveTopics(subA, 2)).toEqual(["a1", "a2"])
      expect(await receiveTopics(subB, 1)).toEqual(["b1"])
    })

    it("a libzmq XSUB/XPUB zmq.Proxy between our PUB and our SUB", async () => {
      const pub = track(new Publisher())
      await pub.bind(bindAddress(transport))
      const xsub = track(new zmq.XSubscriber({ linger: 0 }))
      const xpub = track(new zmq.XPublisher({ linger: 0 }))
      xsub.connect(endpointOf(pub))
      await xpub.bind(bindAddress(transport))
      const proxy = new zmq.Proxy(xsub, xpub)
      const running = proxy.run()
      cleanups.push(async () => {
        proxy.terminate()
        await running
      })
      const subA = track(new Subscriber({ receiveTimeout: TIMEOUT }))
      const subB = track(new Subscriber({ receiveTimeout: TIMEOUT }))
      subA.connect(endpointOf(xpub))
      subB.connect(endpointOf(xpub))
      subA.subscribe("a")
      subB.subscribe("b", "a2")
      await probe(pub, [subA], "a")
      await probe(pub, [subB], "b")
      for (const topic of ["a1", "b1", "c1", "a2"]) await pub.send([topic, "x"])
      expect(await receiveTopics(subA, 2)).toEqual(["a1", "a2"])
      expect(await receiveTopics(subB, 2)).toEqual(["b1", "a2"])
    })
  })

  describe(`ZMTP 3.0 subscription messages over ${transport}`, () => {
    it("a raw ZMTP 3.0 SUB subscribes to our PUB with 0x01 messages and cancels with 0x00", async () => {
      await using pub = new Publisher()
      await pub.bind(bindAddress(transport))
      const zmtp = new ZmtpConnection({ socketType: "SUB", zmtpMinorVersion: 0 })
      const stream = netConnect(netOptions(endpointOf(pub)))
      const peer = new RawPeer(zmtp, stream)
      await peer.until(() => peer.events.some((event) => event.type === "ready"), "the handshake")
      expect(zmtp.peer?.zmtpVersion).toEqual({ major: 3, minor: 1 }) // our PUB offers 3.1; we both speak 3.0

      zmtp.subscribe(Buffer.from("a"))
      expect([...peer.flush()]).toEqual([0x00, 0x02, 0x01, 0x61]) // a message frame 0x01 "a", not a SUBSCRIBE command
      zmtp.subscribe(Buffer.from("b"))
      peer.flush()
      const delivered = (): number => peer.messages.length
      // Probe until the PUB applies "b" (sent after "a"), then read past the probes.
      for (let n = 0; delivered() === 0; n++) {
        await pub.send(["b-sync", String(n)])
        await delay(5)
        if (n > 500) throw new Error("the 3.0 subscription never took effect")
      }
      await pub.send(["b-sync", "end"])
      await peer.until(() => peer.messages.at(-1)?.[1] === "end", "the end probe")
      const start = peer.messages.length

      for (const topic of ["a1", "b1", "c1", "ab"]) await pub.send([topic, "body"])
      await pub.send(["b", "end"])
      await peer.until(() => peer.messages.at(-1)?.[0] === "b", "the last message")
      expect(peer.messages.slice(start)).toEqual([
        ["a1", "body"],
        ["b1", "body"],
        ["ab", "body"],
        ["b", "end"],
      ])

      zmtp.cancel(Buffer.from("a"))
      expect([...peer.flush()]).toEqual([0x00, 0x02, 0x00, 0x61])
      zmtp.subscribe(Buffer.from("z"))
      peer.flush()
      for (let n = 0; peer.messages.at(-1)?.[0] !== "z"; n++) {
        await pub.send(["z", String(n)])
        await delay(5)
        if (n > 500) throw new Error("the 3.0 cancel/subscribe never took effect")
      }
      const mark = peer.messages.length
      await pub.send(["a3", "body"])
      await pub.send(["b3", "body"])
      await peer.until(() => peer.messages.at(-1)?.[0] === "b3", "b3")
      expect(peer.messages.slice(mark).filter(([topic]) => topic !== "z")).toEqual([["b3", "body"]])
    })

    it("our SUB sends 0x01/0x00 subscription messages to a raw ZMTP 3.0 PUB, and filters what it sends", async () => {
      let peer: RawPeer | undefined
      const server = createServer((stream) => {
        peer = new RawPeer(new ZmtpConnection({ socketType: "PUB", zmtpMinorVersion: 0 }), stream)
      })
      const address = await listen(server, transport)
      await using sub = new Subscriber({ receiveTimeout: TIMEOUT })
      sub.subscribe("abc")
      sub.connect(address)
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + TIMEOUT
        const check = (): void => {
          if (peer?.events.some((event) => event.type === "subscribe") === true) resolve()
          else if (Date.now() > deadline) reject(new Error("no subscription reached the raw PUB"))
          else setTimeout(check, 2)
        }
        check()
      })
      const raw = peer!
      expect(raw.zmtp.peer?.zmtpVersion).toEqual({ major: 3, minor: 1 }) // our SUB offered 3.1

      // The raw PUB sends everything (it does not filter): our SUB keeps what matches.
      raw.zmtp.send([Buffer.from("xyz"), Buffer.from("1")])
      raw.zmtp.send([Buffer.from("abcd"), Buffer.from("2")])
      raw.flush()
      expect(text(await sub.receive())).toEqual(["abcd", "2"])

      sub.unsubscribe("abc")
      await raw.until(() => raw.events.some((event) => event.type === "cancel"), "the cancel")

      const { greeting, frames } = parseFrames(Buffer.concat(raw.bytes))
      expect([greeting[0], greeting[9], greeting[10], greeting[11]]).toEqual([0xff, 0x7f, 3, 1])
      expect(frames[0]!.command).toBe(true) // READY
      expect(frames[0]!.body.subarray(0, 6).toString("latin1")).toBe("\x05READY")
      // After the handshake, only message frames: 0x01 "abc", then 0x00 "abc" — never a SUBSCRIBE/CANCEL command.
      expect(frames.slice(1).map(({ command, more, body }) => ({ command, more, body: [...body] }))).toEqual([
        { command: false, more: false, body: [0x01, 0x61, 0x62, 0x63] },
        { command: false, more: false, body: [0x00, 0x61, 0x62, 0x63] },
      ])
    })
  })
}
