/**
 * ZWS 2.0 (RFC 45) as a mode of ZmtpConnection: no greeting, the mechanism's commands at once, one ZMTP frame
 * per WebSocket message, subscriptions as 0x01/0x00 data frames, WebSocket pings as heartbeats, close frames.
 * In memory under any chunking, then against Debian's libzmq 4.3.4 (pyzmq) over a raw TCP socket: our own
 * upgrade and framing, libzmq's ws server.
 */
import { spawn, spawnSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { connect } from "node:net"
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import {
  encodeWsRequest,
  HttpHeadReader,
  nullMechanism,
  parseWsResponse,
  plainClient,
  plainServer,
  wsKeyFrom,
  ZmtpConnection,
  ZmtpErrorCode,
  zwsOffers,
} from "../src/index.js"
import type { SocketType, ZmtpConnectionOptions, ZmtpEvent } from "../src/index.js"
import { ascii, concat } from "./helpers/chunking.js"
import { pumpWithCuts } from "./helpers/pair.js"

const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha1").update(data).digest())
const maskKey = (): Uint8Array => new Uint8Array(randomBytes(4))

function zws(role: "client" | "server", socketType: SocketType, extra: Partial<ZmtpConnectionOptions> = {}): ZmtpConnection {
  return new ZmtpConnection({ socketType, zws: { role, maskKey }, ...extra })
}

describe("ZWS 2.0 in memory", () => {
  it("NULL: READY both ways at once, then multipart messages, under any chunking", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 3 }), { maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }), (messages, cuts) => {
        const client = zws("client", "DEALER", { routingId: "me" })
        const server = zws("server", "ROUTER")
        const [, serverEvents] = pumpWithCuts(client, server, cuts)
        expect(client.state).toBe("ready")
        expect(server.state).toBe("ready")
        expect(server.peer?.routingId).toEqual(ascii("me"))
        for (const frames of messages) client.send(frames)
        const [, received] = pumpWithCuts(client, server, cuts)
        expect(serverEvents.map((e) => e.type)).toEqual(["ready"])
        expect(received.map((e) => (e.type === "message" ? e.frames.map((f) => [...f]) : e.type))).toEqual(messages.map((m) => m.map((f) => [...f])))
      }),
      { numRuns: 100 },
    )
  })

  it("the wire: no greeting, the first client frame is a masked binary message holding the READY command", () => {
    const client = zws("client", "REQ")
    const bytes = client.dataToSend()
    expect(bytes[0]).toBe(0x82)
    expect(bytes[1]! & 0x80).toBe(0x80)
    const server = zws("server", "REP")
    const first = server.dataToSend()
    // Server→client unmasked: flags 0x02 (command), then 0x05 "READY".
    expect([...first.subarray(0, 9)]).toEqual([0x82, first[1]!, 0x02, 0x05, ...ascii("READY")])
    expect(first[1]! & 0x80).toBe(0)
  })

  it("PLAIN: the mechanism runs straight after the upgrade", () => {
    const client = zws("client", "REQ", { mechanism: plainClient({ username: "u", password: "p" }) })
    const server = zws("server", "REP", { mechanism: plainServer() })
    const [, serverEvents] = pumpWithCuts(client, server)
    const auth = serverEvents.find((e) => e.type === "authenticate")
    expect(auth).toBeDefined()
    server.resolveAuthentication({ allow: true, userId: "u" })
    pumpWithCuts(client, server)
    expect(client.state).toBe("ready")
    expect(server.state).toBe("ready")
  })

  it("subscriptions travel as data frames 0x01/0x00 + topic (libzmq drops SUBSCRIBE commands on ws)", () => {
    const sub = zws("client", "SUB")
    const pub = zws("server", "PUB")
    pumpWithCuts(sub, pub)
    sub.subscribe(ascii("weather"))
    sub.cancel(ascii("news"))
    const wire = sub.dataToSend().slice()
    const events = pub.receiveData(wire)
    expect(events).toEqual([
      { type: "subscribe", topic: ascii("weather") },
      { type: "cancel", topic: ascii("news") },
    ])
  })

  it("ping() sends a WebSocket ping, answered by a pong; a close frame ends the peer with WS_CLOSED and is echoed", () => {
    const client = zws("client", "DEALER")
    const server = zws("server", "ROUTER")
    pumpWithCuts(client, server)
    client.ping(0, ascii("hb"))
    const [clientEvents, serverEvents] = pumpWithCuts(client, server)
    expect(serverEvents).toEqual([{ type: "ping", ttl: 0, context: ascii("hb") }])
    expect(clientEvents).toEqual([{ type: "pong", context: ascii("hb") }])
    client.close()
    const closing = server.receiveData(client.dataToSend().slice())
    expect(closing.at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.WS_CLOSED } })
    expect([...server.dataToSend().subarray(0, 2)]).toEqual([0x88, 0x02])
  })

  it("a text frame or a reserved flags bit fails the connection", () => {
    const server = zws("server", "REP")
    expect(server.receiveData(concat(new Uint8Array([0x81, 0x81]), new Uint8Array(4), new Uint8Array(1))).at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.WS_MALFORMED_FRAME } })
    const client = zws("client", "REQ")
    expect(client.receiveData(new Uint8Array([0x82, 0x01, 0x04])).at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.MALFORMED_FRAME } })
  })

  it("the ZMTP path is unchanged: a default connection still starts with the 64-byte greeting", () => {
    expect(new ZmtpConnection({ socketType: "REQ", mechanism: nullMechanism() }).dataToSend().length).toBe(64)
  })
})

const PYTHON = "/usr/bin/python3"
const HAS_WS = spawnSync(PYTHON, ["-c", "import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)"]).status === 0

describe.skipIf(!HAS_WS)("ZWS 2.0 against libzmq 4.3.4 (pyzmq ws:// REP)", () => {
  it("our client: upgrade with libzmq's offer, NULL handshake, REQ/REP echo of 10 B and 100 kB", async () => {
    const script = [
      "import zmq, sys",
      "c = zmq.Context(); s = c.socket(zmq.REP); s.linger = 0; s.bind('ws://127.0.0.1:*/zmq')",
      "print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)",
      "for _ in range(2): s.send_multipart([b'echo:' + f for f in s.recv_multipart()])",
    ].join("\n")
    const child = spawn(PYTHON, ["-c", script])
    const socket = { destroy: (): void => undefined }
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()))
        child.once("exit", (code) => reject(new Error(`pyzmq exited ${code}`)))
      })
      const url = new URL(endpoint.replace(/^ws:/, "http:"))
      const tcp = connect(Number(url.port), url.hostname)
      socket.destroy = () => tcp.destroy()
      const key = wsKeyFrom(new Uint8Array(randomBytes(16)))
      const offers = zwsOffers("NULL")
      tcp.write(encodeWsRequest({ host: url.hostname, path: url.pathname, key, protocols: offers }))
      const conn = zws("client", "REQ")
      const reader = new HttpHeadReader()
      let upgraded = false
      const events: ZmtpEvent[] = []
      const waiters: Array<() => void> = []
      tcp.on("data", (chunk: Buffer) => {
        let data: Uint8Array = new Uint8Array(chunk)
        if (!upgraded) {
          const result = reader.feed(data)
          if (result === undefined) return
          expect(parseWsResponse(result.head, key, offers, sha1)).toBe("ZWS2.0/NULL")
          upgraded = true
          tcp.write(conn.dataToSend().slice())
          data = result.rest
        }
        if (data.length > 0) events.push(...conn.receiveData(data))
        const out = conn.dataToSend()
        if (out.length > 0) tcp.write(out.slice())
        for (const waiter of waiters.splice(0)) waiter()
      })
      const next = (type: string): Promise<ZmtpEvent> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${type}; events ${JSON.stringify(events.map((e) => e.type))}`)), 5000)
          const look = (): void => {
            const index = events.findIndex((e) => e.type === type)
            if (index < 0) return void waiters.push(look)
            clearTimeout(timer)
            resolve(events.splice(index, 1)[0]!)
          }
          look()
        })
      const ready = await next("ready")
      expect(ready).toMatchObject({ peer: { socketType: "REP", mechanism: "NULL" } })
      for (const body of [ascii("hello"), new Uint8Array(100_000).fill(7)]) {
        conn.send([new Uint8Array(0), body])
        tcp.write(conn.dataToSend().slice())
        const reply = await next("message")
        expect(reply.type === "message" && reply.frames.map((f) => f.length)).toEqual([0, 5 + body.length])
      }
    } finally {
      socket.destroy()
      child.kill("SIGKILL")
    }
  })
})
