/**
 * Bare "ZWS2.0" (RFC 45; libzmq's ws_engine routing_id_msg / process_routing_id_msg): no mechanism, the first
 * message each way is the sender's routing id, then data; the peer names no socket type and none is checked.
 * Then ZWS message mode: the host's WebSocket (a browser's) frames, the codec sees whole payloads.
 */
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { encodeWsFrame, plainClient, WsFrameDecoder, WsOpcode, ZmtpConnection, ZmtpErrorCode } from "../src/index.js"
import type { SocketType, ZmtpConnectionOptions, ZmtpEvent } from "../src/index.js"
import { ascii } from "./helpers/chunking.js"
import { pumpWithCuts } from "./helpers/pair.js"

const maskKey = (): Uint8Array => new Uint8Array(randomBytes(4))

function bare(role: "client" | "server", socketType: SocketType, extra: Partial<ZmtpConnectionOptions> = {}): ZmtpConnection {
  return new ZmtpConnection({ socketType, zws: { role, maskKey, bare: true }, ...extra })
}

function browser(socketType: SocketType, extra: Partial<ZmtpConnectionOptions> = {}, bareMode = true): ZmtpConnection {
  return new ZmtpConnection({ socketType, zws: { role: "client", bare: bareMode, messages: true }, ...extra })
}

/**
 * A message-mode client (what the browser transport drives) against a framed server (our Node side): the
 * "platform" here frames the client's payloads as masked binary messages and unframes the server's.
 */
function pumpMessages(client: ZmtpConnection, server: ZmtpConnection): [ZmtpEvent[], ZmtpEvent[]] {
  const events: [ZmtpEvent[], ZmtpEvent[]] = [[], []]
  const fromServer: Uint8Array[] = []
  const unframe = new WsFrameDecoder({ role: "client", maxMessageSize: -1 })
  const sink = { onMessage: (bytes: Uint8Array, start: number, length: number) => fromServer.push(bytes.slice(start, start + length)), onPing() {}, onPong() {}, onClose() {} }
  for (let round = 0; round < 50; round++) {
    const up = client.dataToSendMessages()
    const down = server.dataToSend().slice()
    if (up.length === 0 && down.length === 0) break
    for (const payload of up) events[1].push(...server.receiveData(encodeWsFrame(WsOpcode.BINARY, [payload], maskKey())))
    unframe.feed(down, sink)
    for (const payload of fromServer.splice(0)) events[0].push(...client.receiveData(payload))
  }
  return events
}

const readies = (events: ZmtpEvent[]) => events.filter((e) => e.type === "ready")
const messages = (events: ZmtpEvent[]) => events.flatMap((e) => (e.type === "message" ? [e.frames.map((f) => [...f])] : []))

describe("bare ZWS2.0", () => {
  it("routing ids first, then multipart messages, under any chunking; the peer reports no socket type", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 255 }),
        fc.array(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 3 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
        (routingId, sent, cuts) => {
          const client = bare("client", "DEALER", { routingId })
          const server = bare("server", "ROUTER")
          const [clientEvents, serverEvents] = pumpWithCuts(client, server, cuts)
          const clientReady = readies(clientEvents)
          const serverReady = readies(serverEvents)
          expect(serverReady).toHaveLength(1)
          expect(serverReady[0]).toMatchObject({ peer: { socketType: undefined, routingId, mechanism: "NULL" } })
          expect(clientReady[0]).toMatchObject({ peer: { socketType: undefined, routingId: new Uint8Array(0) } })
          for (const message of sent) client.send(message)
          const [, delivered] = pumpWithCuts(client, server, cuts)
          expect(messages(delivered)).toEqual(sent.map((m) => m.map((f) => [...f])))
        },
      ),
    )
  })

  it("the wire: the client's first message is its routing id as a masked one-frame binary message, nothing else", () => {
    const client = bare("client", "REQ", { routingId: "me" })
    const wire = client.dataToSend()
    expect([...wire.subarray(0, 2)]).toEqual([0x82, 0x80 | 3])
    const key = wire.subarray(2, 6)
    expect([...wire.subarray(6)].map((b, i) => b ^ key[i % 4]!)).toEqual([0x00, 0x6d, 0x65])
    // A server without a routing id sends an empty one: the flags byte alone, unmasked.
    expect([...bare("server", "REP").dataToSend()]).toEqual([0x82, 0x01, 0x00])
  })

  it("no socket-type check, as libzmq's bare mode: a PUSH and a PUB meet (a ZMTP handshake would refuse)", () => {
    const [a, b] = pumpWithCuts(bare("client", "PUSH"), bare("server", "PUB")).map(readies)
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(1)
  })

  it("a SUB's subscriptions travel as data frames 0x01/0x00 + topic and reach the PUB as subscribe/cancel", () => {
    const sub = bare("client", "SUB")
    const pub = bare("server", "PUB")
    pumpWithCuts(sub, pub)
    sub.subscribe(ascii("weather"))
    sub.cancel(ascii("news"))
    const [, pubEvents] = pumpWithCuts(sub, pub)
    expect(pubEvents).toEqual([
      { type: "subscribe", topic: ascii("weather") },
      { type: "cancel", topic: ascii("news") },
    ])
  })

  it("a first message that is a command, multipart, or a routing id over 255 bytes fails the connection", () => {
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array([0x02, 0x05, ...ascii("READY")]), ZmtpErrorCode.INVALID_SEQUENCE],
      [new Uint8Array([0x01, 0x61]), ZmtpErrorCode.INVALID_SEQUENCE],
      [new Uint8Array(257), ZmtpErrorCode.INVALID_METADATA],
    ]
    for (const [payload, code] of cases) {
      const server = bare("server", "ROUTER")
      const events = server.receiveData(encodeWsFrame(WsOpcode.BINARY, [payload], maskKey()))
      expect(events.at(-1)).toMatchObject({ type: "error", error: { code } })
      expect(readies(events)).toEqual([])
    }
  })

  it("has no mechanism: PLAIN with bare is refused at construction", () => {
    expect(() => bare("client", "REQ", { mechanism: plainClient({ username: "u", password: "p" }) })).toThrow(
      expect.objectContaining({ code: ZmtpErrorCode.INVALID_ARGUMENT }),
    )
  })

  it("WebSocket pings are answered with pongs, and close() sends a close frame", () => {
    const client = bare("client", "DEALER")
    const server = bare("server", "ROUTER")
    pumpWithCuts(client, server)
    client.ping(0, ascii("hb"))
    const [clientEvents, serverEvents] = pumpWithCuts(client, server)
    expect(serverEvents).toEqual([{ type: "ping", ttl: 0, context: ascii("hb") }])
    expect(clientEvents).toEqual([{ type: "pong", context: ascii("hb") }])
    server.close("bye")
    // No ERROR command in bare mode: only the close frame (status 1000).
    expect([...server.dataToSend()]).toEqual([0x88, 0x02, 0x03, 0xe8])
  })
})

describe("ZWS message mode (the host's WebSocket frames)", () => {
  it("bare REQ in message mode against a framed bare REP: whole payloads out, whole payloads in", () => {
    const client = browser("REQ", { routingId: "b1" })
    const server = bare("server", "REP")
    // Before anything: the routing id payload alone, flags byte 0x00.
    const first = client.dataToSendMessages()
    expect(first.map((p) => [...p])).toEqual([[0x00, 0x62, 0x31]])
    for (const payload of first) server.receiveData(encodeWsFrame(WsOpcode.BINARY, [payload], maskKey()))
    const [clientEvents] = pumpMessages(client, server)
    expect(readies(clientEvents)).toHaveLength(1)
    expect(server.state).toBe("ready")
    // The socket layer's empty delimiter then the body: two payloads, the first with MORE.
    client.send([new Uint8Array(0), ascii("hello")])
    const request = client.dataToSendMessages()
    expect(request.map((p) => [...p])).toEqual([[0x01], [0x00, ...ascii("hello")]])
    const serverEvents = request.flatMap((p) => server.receiveData(encodeWsFrame(WsOpcode.BINARY, [p], maskKey())))
    expect(messages(serverEvents)).toEqual([[[], [...ascii("hello")]]])
    server.send([new Uint8Array(0), ascii("world")])
    const [replies] = pumpMessages(client, server)
    expect(messages(replies)).toEqual([[[], [...ascii("world")]]])
  })

  it("message mode with ZWS2.0/NULL (not bare): READY both ways, socket types checked", () => {
    const client = browser("DEALER", { routingId: "d" }, false)
    const server = new ZmtpConnection({ socketType: "ROUTER", zws: { role: "server" } })
    const [clientEvents, serverEvents] = pumpMessages(client, server)
    expect(readies(clientEvents)[0]).toMatchObject({ peer: { socketType: "ROUTER" } })
    expect(readies(serverEvents)[0]).toMatchObject({ peer: { socketType: "DEALER", routingId: ascii("d") } })
    const refused = pumpMessages(browser("PUB", {}, false), new ZmtpConnection({ socketType: "ROUTER", zws: { role: "server" } }))
    expect(refused[1].at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE } })
  })

  it("an empty payload, reserved flag bits and maxMessageSize fail the connection", () => {
    const cases: Array<[ZmtpConnection, Uint8Array, string]> = [
      [browser("REQ"), new Uint8Array(0), ZmtpErrorCode.MALFORMED_FRAME],
      [browser("REQ"), new Uint8Array([0x08]), ZmtpErrorCode.MALFORMED_FRAME],
      [browser("REQ", { maxMessageSize: 3 }), new Uint8Array(5), ZmtpErrorCode.MESSAGE_TOO_LARGE],
    ]
    for (const [connection, payload, code] of cases) {
      expect(connection.receiveData(payload).at(-1)).toMatchObject({ type: "error", error: { code } })
    }
    // The limit counts the body, not the flags byte: exactly maxMessageSize passes.
    expect(browser("REQ", { maxMessageSize: 3 }).receiveData(new Uint8Array(4)).at(-1)).toMatchObject({ type: "ready" })
  })

  it("the byte-stream calls and pings refuse in message mode; dataToSendMessages refuses outside it", () => {
    const client = browser("DEALER")
    expect(() => client.dataToSend()).toThrow(TypeError)
    client.receiveData(new Uint8Array([0x00]))
    expect(() => client.ping()).toThrow(expect.objectContaining({ code: ZmtpErrorCode.NOT_SUPPORTED }))
    expect(() => bare("client", "DEALER").dataToSendMessages()).toThrow(expect.objectContaining({ code: ZmtpErrorCode.INVALID_STATE }))
  })
})
