/**
 * ZAP (RFC 27) for the NULL mechanism, over tcp and ipc, as libzmq 4.3.5's null_mechanism.cpp does it:
 * a side asks its own context's ZAP handler only when its `zapDomain` is set (whichever side connected),
 * before it sends READY; without a handler it goes ahead, unless `zapEnforceDomain` is set.
 *
 *   DEALER ──tcp/ipc──▶ ROUTER (zapDomain "global") ──inproc pipe──▶ ZAP handler (ROUTER)
 */
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Context, Dealer, Router, messageProperty } from "../../src/index.js"
import { TIMEOUT, nextEvent, recordEvents, reply, startZapHandler, track, until, type ZapAnswer } from "./zap-handler.js"

const TRANSPORTS = ["tcp", "ipc"] as const
type TransportName = (typeof TRANSPORTS)[number]

let ipcCount = 0
function bindAddress(transport: TransportName): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(tmpdir(), `zmq-ts-zap-null-${process.pid}-${++ipcCount}.sock`)}`
}

const ADDRESS = { tcp: "127.0.0.1", ipc: "localhost" } as const

/** A NULL ROUTER with `serverOptions` bound (a handler answering `answer` in its context, if given), a DEALER connected. */
async function nullPair(transport: TransportName, serverOptions: Record<string, unknown>, answer?: ZapAnswer) {
  const context = new Context()
  const zap = answer === undefined ? undefined : await startZapHandler(context, answer)
  const server = track(new Router({ context, routingId: "SERVER", linger: 0, receiveTimeout: 300, ...serverOptions }))
  const serverEvents = recordEvents(server)
  await server.bind(bindAddress(transport))
  const client = track(new Dealer({ routingId: "CLIENT", linger: 0, reconnectInterval: 10_000 }))
  const clientEvents = recordEvents(client)
  client.connect(server.lastEndpoint!)
  return { zap, server, client, serverEvents, clientEvents }
}

describe.each(TRANSPORTS)("NULL and ZAP over %s", (transport) => {
  it("without zapDomain: the handler is not asked and messages flow", async () => {
    const { zap, server, client } = await nullPair(transport, {}, (request) => reply(request, "400"))
    await client.send("plain NULL")
    const [, body] = await server.receive()
    expect(String(body)).toBe("plain NULL")
    expect(zap!.requests).toEqual([])
    // No ZAP, no properties: the plain receive path is untouched.
    expect(messageProperty(body!, "Peer-Address")).toBeUndefined()
  })

  it("with zapDomain: asks with mechanism NULL and no credentials, then lets the peer in on 200", async () => {
    const { zap, server, client } = await nullPair(transport, { zapDomain: "global" }, (request) => reply(request, "200", "anonymous"))
    await client.send("vouched for")
    const [routingId, body] = await server.receive()
    expect(String(body)).toBe("vouched for")
    expect(zap!.requests).toHaveLength(1)
    const [request] = zap!.requests
    expect(request!.frames).toHaveLength(8) // routing id, "", version, id, domain, address, identity, mechanism
    expect(request).toMatchObject({ version: "1.0", domain: "global", address: ADDRESS[transport], identity: "SERVER", mechanism: "NULL", credentials: [] })
    expect(messageProperty(body!, "User-Id")).toBe("anonymous")
    expect(messageProperty(routingId!, "User-Id")).toBe("anonymous")
  })

  it.each([400, 500] as const)("with zapDomain, %i: ERROR to the peer, handshake:error:auth on both sides", async (status) => {
    const { server, client } = await nullPair(transport, { zapDomain: "global" }, (request) => reply(request, String(status)))
    const serverDenied = nextEvent(server, "handshake:error:auth")
    const clientDenied = nextEvent(client, "handshake:error:auth")
    void client.send("must not arrive").catch(() => undefined)
    expect((await serverDenied).error).toMatchObject({ status })
    expect((await clientDenied).error).toMatchObject({ status })
    await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
  })

  it("with zapDomain, 300: the peer is dropped without an ERROR", async () => {
    const { server, client, clientEvents } = await nullPair(transport, { zapDomain: "global" }, (request) => reply(request, "300"))
    const serverDenied = nextEvent(server, "handshake:error:auth")
    void client.send("must not arrive").catch(() => undefined)
    expect((await serverDenied).error).toMatchObject({ status: 300 })
    await until(() => clientEvents.includes("disconnect"), TIMEOUT, "the client's disconnect")
    expect(clientEvents).not.toContain("handshake:error:auth")
    expect(clientEvents).not.toContain("handshake")
  })

  it("with zapDomain, a malformed reply: handshake:error:protocol, the peer never gets through", async () => {
    const { server, client, clientEvents } = await nullPair(transport, { zapDomain: "global" }, (request) => ["", "1.0", request.requestId, "200", "OK", ""])
    const failed = nextEvent(server, "handshake:error:protocol")
    void client.send("must not arrive").catch(() => undefined)
    expect((await failed).error).toMatchObject({ code: "ERR_ZAP_MALFORMED_REPLY" })
    await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
    expect(clientEvents).not.toContain("handshake")
  })

  it("with zapDomain and no handler: goes ahead unauthenticated (zapEnforceDomain is off)", async () => {
    const { server, client, serverEvents } = await nullPair(transport, { zapDomain: "global" })
    await client.send("no handler, no problem")
    const [, body] = await server.receive()
    expect(String(body)).toBe("no handler, no problem")
    expect(messageProperty(body!, "User-Id")).toBeUndefined()
    expect(serverEvents).toEqual(["accept", "handshake"])
  })

  it("with zapDomain, zapEnforceDomain and no handler: fails with EFAULT", async () => {
    const { server, client, clientEvents } = await nullPair(transport, { zapDomain: "global", zapEnforceDomain: true })
    const refused = nextEvent(server, "handshake:error:other")
    void client.send("must not arrive").catch(() => undefined)
    expect((await refused).error).toMatchObject({ code: "EFAULT", errno: 14 })
    await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
    expect(clientEvents).not.toContain("handshake")
  })

  it("zapEnforceDomain without a domain: NULL asks no one and goes ahead", async () => {
    const { server, client } = await nullPair(transport, { zapEnforceDomain: true })
    await client.send("no domain")
    expect(String((await server.receive())[1])).toBe("no domain")
  })

  it("the connecting side with zapDomain asks its own context's handler", async () => {
    const clientContext = new Context()
    const zap = await startZapHandler(clientContext, (request) => reply(request, "400"))
    const server = track(new Router({ linger: 0, receiveTimeout: 300 }))
    await server.bind(bindAddress(transport))
    const serverDenied = nextEvent(server, "handshake:error:auth")
    const client = track(new Dealer({ context: clientContext, zapDomain: "outgoing", linger: 0, reconnectInterval: 10_000 }))
    const clientDenied = nextEvent(client, "handshake:error:auth")
    client.connect(server.lastEndpoint!)
    expect((await clientDenied).error).toMatchObject({ status: 400 })
    expect((await serverDenied).error).toMatchObject({ status: 400 })
    expect(zap.requests[0]).toMatchObject({ domain: "outgoing", mechanism: "NULL" })
  })
})
