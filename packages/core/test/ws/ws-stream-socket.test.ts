/**
 * STREAM over ws:// and wss://: refused with ENOCOMPATPROTO at bind and connect. libzmq 4.3.4 takes such an
 * endpoint, but its ws engine then speaks ZWS with socket type STREAM, which no peer accepts, so nothing
 * ever connects; we say so at once. The refusal leaves the socket usable for tcp and the port's other
 * ws binds working.
 */
import { describe, expect, it } from "vitest"
import { Reply, Request, Stream, type SocketEvent } from "../../src/index.js"
import type { SocketHost } from "../../src/pipes/socket-host.js"
import { webSocketTransport } from "../../src/transports/websocket/websocket-transport.js"
import { track } from "../helpers/cleanup.js"
import { selfSigned } from "./tls-certificates.js"

const LOCAL = selfSigned("IP:127.0.0.1,DNS:localhost")

function record(socket: Stream, ...types: string[]): SocketEvent[] {
  const events: SocketEvent[] = []
  for (const type of types) socket.events.on(type as "bind:error", (event: SocketEvent) => events.push(event))
  return events
}

describe("STREAM over ws:// and wss://", () => {
  it.each(["ws://127.0.0.1:*/raw", "wss://127.0.0.1:*/raw"])("bind %s: ENOCOMPATPROTO before anything listens (no bind or bind:error event, as libzmq's protocol check); tcp still binds", async (address) => {
    const stream = track(new Stream({ wssCertPem: LOCAL.certPem, wssKeyPem: LOCAL.keyPem }))
    const failures = record(stream, "bind:error", "bind")
    const refusal = stream.bind(address)
    await expect(refusal).rejects.toMatchObject({ code: "ENOCOMPATPROTO", address })
    await expect(refusal).rejects.toMatchObject({ details: expect.stringMatching(/^STREAM sockets carry raw tcp or ipc bytes/) })
    expect(failures).toEqual([])
    expect(stream.lastEndpoint).toBe(null)
    await stream.bind("tcp://127.0.0.1:*")
    expect(stream.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
  })

  it.each(["ws://127.0.0.1:5/raw", "wss://127.0.0.1:5/raw"])("connect %s: ENOCOMPATPROTO thrown at once, no connect attempt", (address) => {
    const stream = track(new Stream())
    const attempts = record(stream, "connect:delay", "connect:retry", "connect")
    expect(() => stream.connect(address)).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO", address }))
    expect(attempts).toEqual([])
  })

  it("a refused STREAM bind on a ws port leaves that port's other paths serving", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://127.0.0.1:*/ok")
    const port = new URL(rep.lastEndpoint!.replace(/^ws:/, "http:")).port
    const stream = track(new Stream())
    await expect(stream.bind(`ws://127.0.0.1:${port}/raw`)).rejects.toMatchObject({ code: "ENOCOMPATPROTO" })
    const req = track(new Request())
    req.connect(rep.lastEndpoint!)
    await req.send("still here")
    const [request] = await rep.receive()
    await rep.send(`${request!.toString()}!`)
    expect((await req.receive())[0]!.toString()).toBe("still here!")
  })

  it("the browser build's ws transport refuses a raw-wire (STREAM) socket's connect the same way", () => {
    const transport = webSocketTransport()
    const address = "ws://127.0.0.1:5/raw"
    const host = { type: "STREAM", wire: "raw" } as unknown as SocketHost
    expect(() => transport.connect(host, transport.parse(address, "127.0.0.1:5/raw", "connect"), undefined)).toThrow(
      expect.objectContaining({ code: "ENOCOMPATPROTO", address }),
    )
  })
})
