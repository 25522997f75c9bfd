/**
 * CURVE against real libzmq 4.3.5 (zeromq.js 6.8) over tcp, our mechanisms driven by a sans-IO
 * `ZmtpConnection` glued to a raw `node:net` socket (helpers/net-driver.ts), in both roles:
 *
 *   libzmq is the CURVE server:  zmq.Socket(curveServer) ──bind──◀── net.connect ── Driver(curveClient)
 *   we are the CURVE server:     zmq.Socket(curveServerKey) ──connect──▶ net.Server ── Driver(curveServer)
 *
 * Besides messages both ways, the bytes libzmq puts on the wire are checked against the layout we send
 * (command sizes, nonces, the MESSAGE frame's outer flags), and heartbeats and subscriptions, which travel
 * inside MESSAGE with the inner COMMAND bit.
 */
import { setTimeout as sleep } from "node:timers/promises"
import { ZmtpErrorCode, type AuthenticationRequest, type ZmtpEvent } from "@zmq-ts/zmtp"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { curveClient, curveKeyPair, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { ascii, hex, parseFrames, pattern } from "./helpers/pair.js"
import { connect, listen, type Driver } from "./helpers/net-driver.js"

const SERVER = curveKeyPair()
const CLIENT = curveKeyPair()
const key = (z85: string) => decodeCurveKey(z85, "key")
const ZMQ_OPTIONS = { linger: 0, receiveTimeout: 3000, sendTimeout: 3000 } as const

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

beforeAll(async () => {
  await loadCurve()
})

function track<S extends zmq.Socket>(socket: S): S {
  cleanups.push(() => socket.close())
  return socket
}

function ourClient(socketType: "DEALER" | "SUB" = "DEALER", serverKey = SERVER.publicKey) {
  return {
    socketType,
    routingId: "ours",
    mechanism: curveClient({ publicKey: key(CLIENT.publicKey), secretKey: key(CLIENT.secretKey), serverKey: key(serverKey) }),
  }
}

function ourServer(socketType: "ROUTER" | "PUB" = "ROUTER") {
  return { socketType, mechanism: curveServer({ secretKey: key(SERVER.secretKey) }) }
}

/** libzmq's CURVE server socket, bound; we connect to it. */
async function libzmqServer<S extends zmq.Socket>(socket: S, client = ourClient()): Promise<{ socket: S; driver: Driver }> {
  await socket.bind("tcp://127.0.0.1:*")
  const driver = await connect(socket.lastEndpoint!, client)
  cleanups.push(() => driver.close())
  return { socket, driver }
}

/** Our CURVE server, listening; libzmq's client connects. Authentication requests go to `authenticate`. */
async function ourListener(socketType: "ROUTER" | "PUB" = "ROUTER", authenticate: (request: AuthenticationRequest) => boolean | 300 | 400 = () => true) {
  const requests: AuthenticationRequest[] = []
  const listener = await listen(
    () => ourServer(socketType),
    (event: ZmtpEvent, driver: Driver) => {
      if (event.type !== "authenticate") return
      requests.push(event.request)
      const verdict = authenticate(event.request)
      queueMicrotask(() => driver.resolveAuthentication(verdict === true ? { allow: true } : { allow: false, statusCode: verdict === false ? 400 : verdict }))
    },
  )
  cleanups.push(() => listener.close())
  return { listener, requests }
}

function libzmqClientOptions(serverKey = SERVER.publicKey) {
  return { ...ZMQ_OPTIONS, curveServerKey: serverKey, curvePublicKey: CLIENT.publicKey, curveSecretKey: CLIENT.secretKey }
}

function observe(socket: zmq.Socket): zmq.Event[] {
  const events: zmq.Event[] = []
  void (async () => {
    try {
      for await (const event of socket.events) events.push(event)
    } catch {
      // ends with its socket
    }
  })()
  return events
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

function nonceOf(body: Uint8Array, at: number): bigint {
  return new DataView(body.buffer, body.byteOffset, body.byteLength).getBigUint64(at)
}

const LARGE = pattern(1024 * 1024, 5)

describe("libzmq is the CURVE server, we connect with curveClient", () => {
  it("handshakes, exchanges messages both ways (empty, small, multipart, 1 MiB), and speaks libzmq's layout", async () => {
    const { socket: router, driver } = await libzmqServer(track(new zmq.Router({ ...ZMQ_OPTIONS, curveServer: true, curveSecretKey: SERVER.secretKey })))
    const { peer } = await driver.next("ready")
    expect(peer).toMatchObject({ socketType: "ROUTER", mechanism: "CURVE" })
    for (const frames of [[ascii("hello")], [new Uint8Array(0)], [new Uint8Array(0), ascii("b"), pattern(300, 1)], [LARGE]]) {
      driver.send(frames)
      const [identity, ...received] = await router.receive()
      expect(new TextDecoder().decode(identity)).toBe("ours")
      expect(received.map((f) => hex(new Uint8Array(f)))).toEqual(frames.map(hex))
      await router.send([identity!, ...frames])
      const echo = await driver.next("message")
      expect(echo.frames.map(hex)).toEqual(frames.map(hex))
    }
    // What libzmq sent: WELCOME 168, READY 30 + metadata with nonce 1, then MESSAGEs from nonce 2 in
    // frames with outer flags 0 (long for the 1 MiB one).
    const frames = parseFrames(driver.received)
    expect(frames[0]!.body.length).toBe(168)
    expect(new TextDecoder().decode(frames[1]!.body.subarray(1, 6))).toBe("READY")
    expect(nonceOf(frames[1]!.body, 6)).toBe(1n)
    const messages = frames.slice(2)
    expect(messages.map((f) => f.flags & ~0x02)).toEqual(messages.map(() => 0))
    expect(messages.map((f) => nonceOf(f.body, 8))).toEqual(messages.map((_, i) => BigInt(2 + i)))
    expect(messages.map((f) => f.body.length - 33)).toEqual([5, 0, 0, 1, 300, LARGE.length])
  })

  it("our SUBSCRIBE and PING (inside MESSAGE, inner COMMAND bit) are understood by libzmq", async () => {
    const { socket: pub, driver } = await libzmqServer(track(new zmq.Publisher({ linger: 0, sendTimeout: 3000, curveServer: true, curveSecretKey: SERVER.secretKey })), ourClient("SUB"))
    await driver.next("ready")
    driver.subscribe(ascii("news"))
    driver.ping(0, ascii("hb"))
    expect(hex((await driver.next("pong")).context)).toBe(hex(ascii("hb")))
    // The subscription is in by the time the PONG is back (libzmq handles commands in order).
    await pub.send(["sport", "no"])
    await pub.send(["news", "yes"])
    const { frames } = await driver.next("message")
    expect(frames.map((f) => new TextDecoder().decode(f))).toEqual(["news", "yes"])
  })

  it("a wrong server key: libzmq reports ERR_ZMTP_CRYPTOGRAPHIC and sends nothing after its greeting", async () => {
    const other = curveKeyPair()
    const router = track(new zmq.Router({ ...ZMQ_OPTIONS, curveServer: true, curveSecretKey: SERVER.secretKey }))
    const events = observe(router)
    const { driver } = await libzmqServer(router, ourClient("DEALER", other.publicKey))
    await until(() => events.some((e) => e.type === "handshake:error:protocol"), "libzmq's protocol error")
    const failure = events.find((e) => e.type === "handshake:error:protocol") as { error: { code: string } }
    expect(failure.error.code).toBe("ERR_ZMTP_CRYPTOGRAPHIC")
    await driver.closed
    expect(driver.received.length).toBe(64)
  })
})

describe("we are the CURVE server (curveServer), libzmq connects", () => {
  it("handshakes, authenticates libzmq's client key, exchanges messages, and libzmq's client speaks our layout", async () => {
    const { listener, requests } = await ourListener()
    const dealer = track(new zmq.Dealer({ ...libzmqClientOptions(), routingId: "theirs" }))
    dealer.connect(listener.endpoint)
    const driver = await listener.first()
    const { peer } = await driver.next("ready")
    expect(peer.socketType).toBe("DEALER")
    expect(new TextDecoder().decode(peer.routingId)).toBe("theirs")
    expect(requests.map((r) => [r.mechanism, hex(r.publicKey!)])).toEqual([["CURVE", hex(key(CLIENT.publicKey))]])
    for (const frames of [[ascii("hi")], [new Uint8Array(0), new Uint8Array(0)], [LARGE]]) {
      await dealer.send(frames)
      expect((await driver.next("message")).frames.map(hex)).toEqual(frames.map(hex))
      driver.send(frames)
      expect((await dealer.receive()).map((f) => hex(new Uint8Array(f)))).toEqual(frames.map(hex))
    }
    // libzmq's client: HELLO 200 (short command frame), INITIATE ≥ 257 in a long command frame with nonce 2,
    // then MESSAGEs with outer flags 0 from nonce 3. Byte for byte what our client sends.
    const frames = parseFrames(driver.received)
    expect([frames[0]!.flags, frames[0]!.body.length]).toEqual([0x04, 200])
    expect(hex(frames[0]!.body.subarray(6, 80))).toBe(hex(Uint8Array.of(1, 0, ...new Uint8Array(72))))
    expect(nonceOf(frames[0]!.body, 112)).toBe(1n)
    expect(frames[1]!.flags).toBe(0x06)
    expect(frames[1]!.body.length).toBe(257 + 22 + 19) // Socket-Type DEALER, Identity "theirs"
    expect(nonceOf(frames[1]!.body, 105)).toBe(2n)
    const messages = frames.slice(2)
    expect(messages.map((f) => f.flags & ~0x02)).toEqual(messages.map(() => 0))
    expect(messages.map((f) => nonceOf(f.body, 8))).toEqual(messages.map((_, i) => BigInt(3 + i)))
  })

  it("libzmq's heartbeats (PING inside MESSAGE) are answered; libzmq's SUBSCRIBE reaches our PUB", async () => {
    const { listener } = await ourListener("PUB")
    const { sendTimeout: _sendOnly, ...receiveOptions } = libzmqClientOptions() // a SUB refuses sendTimeout
    const sub = track(new zmq.Subscriber({ ...receiveOptions, heartbeatInterval: 50 }))
    sub.subscribe("weather")
    sub.connect(listener.endpoint)
    const driver = await listener.first()
    await driver.next("ready")
    expect(new TextDecoder().decode((await driver.next("subscribe")).topic)).toBe("weather")
    await driver.next("ping")
    driver.send([ascii("traffic"), ascii("no")])
    driver.send([ascii("weather"), ascii("sunny")])
    expect((await sub.receive()).map((f) => f.toString())).toEqual(["weather", "sunny"])
  })

  it("denied with 400: libzmq gets ERROR 400 (handshake:error:auth); with 300, no ERROR is sent", async () => {
    for (const status of [400, 300] as const) {
      const { listener } = await ourListener("ROUTER", () => status)
      const dealer = track(new zmq.Dealer(libzmqClientOptions()))
      const events = observe(dealer)
      dealer.connect(listener.endpoint)
      const driver = await listener.first()
      const error = await driver.next("error")
      expect(error.error).toMatchObject({ code: ZmtpErrorCode.AUTHENTICATION_FAILED, reason: String(status) })
      const sent = parseFrames(driver.sent)
      if (status === 400) {
        expect(hex(sent.at(-1)!.body)).toBe(hex(ascii("\x05ERROR\x03400")))
        await until(() => events.some((e) => e.type === "handshake:error:auth"), "libzmq's auth event")
        expect((events.find((e) => e.type === "handshake:error:auth") as { error: { status: number } }).error.status).toBe(400)
      } else {
        expect(sent.map((f) => f.body.length)).toEqual([168])
      }
      dealer.close()
      await listener.close()
    }
  })

  it("libzmq with the wrong server key: we fail with CRYPTOGRAPHIC and send no ERROR", async () => {
    const { listener, requests } = await ourListener()
    const dealer = track(new zmq.Dealer(libzmqClientOptions(curveKeyPair().publicKey)))
    dealer.connect(listener.endpoint)
    const driver = await listener.first()
    expect((await driver.next("error")).error.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(driver.sent.length).toBe(64)
    expect(requests).toEqual([])
  })
})
