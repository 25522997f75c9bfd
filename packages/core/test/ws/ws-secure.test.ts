/**
 * wss:// (ZWS 2.0 inside TLS, node:tls) with libzmq's draft ZMQ_WSS_* options as wssKeyPem, wssCertPem,
 * wssTrustPem, wssHostname, wssTrustSystem. Neither libzmq 4.3.4 (Debian) nor 4.3.5 (npm zeromq) has wss,
 * so ours is tested against ours and against a plain node:tls bare ZWS2.0 peer (bare-ws-peer.ts). The
 * certificates are self-signed, made by openssl for each run (tls-certificates.ts).
 */
import { describe, expect, it } from "vitest"
import { Authenticator } from "../../src/auth.js"
import { Context, curveKeyPair, Dealer, Reply, Request, type SocketEvent } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { bareClient, bareServer } from "./bare-ws-peer.js"
import { selfSigned } from "./tls-certificates.js"

const LOCAL = selfSigned("IP:127.0.0.1,DNS:localhost")
const OTHER = selfSigned("DNS:other.example")
const server = (certificate = LOCAL) => ({ wssCertPem: certificate.certPem, wssKeyPem: certificate.keyPem })
const trusting = (certificate = LOCAL) => ({ wssTrustPem: certificate.certPem })

const text = (frames: Buffer[]): string[] => frames.map((frame) => frame.toString())

/** A REP that echoes with "ok:" until closed. */
function echo(rep: Reply): Reply {
  void (async () => {
    try {
      for await (const [request] of rep) await rep.send(`ok:${request!.toString()}`)
    } catch {
      // closed
    }
  })()
  return rep
}

async function roundTrip(req: Request, what = "hi"): Promise<string> {
  await req.send(what)
  return text(await req.receive())[0]!
}

function record(socket: { events: { on(type: string, listener: (event: SocketEvent) => void): unknown } }, ...types: string[]): SocketEvent[] {
  const events: SocketEvent[] = []
  for (const type of types) socket.events.on(type, (event) => events.push(event))
  return events
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

describe("wss:// ours against ours", () => {
  const curveServer = curveKeyPair()
  const curveClient = curveKeyPair()
  const mechanisms: Array<[string, object, object]> = [
    ["NULL", {}, {}],
    ["PLAIN", { plainServer: true }, { plainUsername: "admin", plainPassword: "secret" }],
    ["CURVE", { curveServer: true, curveSecretKey: curveServer.secretKey }, { curveServerKey: curveServer.publicKey, curvePublicKey: curveClient.publicKey, curveSecretKey: curveClient.secretKey }],
  ]
  for (const [name, serverMechanism, clientMechanism] of mechanisms) {
    it(`${name} over wss: REQ/REP with a 100 kB frame; lastEndpoint is wss:// with the path`, async () => {
      const context = new Context()
      if (name === "PLAIN") {
        // PLAIN passwords are checked by a ZAP handler (RFC 27), as in libzmq.
        const auth = new Authenticator({ context })
        await auth.start()
        auth.configurePlain({ admin: "secret" })
        afterThisTest(() => void auth.stop())
      }
      const rep = echo(track(new Reply({ ...server(), ...serverMechanism, context })))
      await rep.bind("wss://127.0.0.1:*/secure")
      expect(rep.lastEndpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/secure$/)
      const req = track(new Request({ ...trusting(), ...clientMechanism }))
      const handshakes = record(req, "handshake")
      req.connect(rep.lastEndpoint!)
      expect(await roundTrip(req)).toBe("ok:hi")
      const big = "x".repeat(100_000)
      expect(await roundTrip(req, big)).toBe(`ok:${big}`)
      expect(handshakes).toHaveLength(1)
    })
  }

  it("several sockets share a wss port by path; the port's certificate is the first binder's", async () => {
    const a = echo(track(new Reply(server())))
    await a.bind("wss://127.0.0.1:*/a")
    const port = new URL(a.lastEndpoint!.replace(/^wss:/, "https:")).port
    const b = track(new Reply(server(OTHER)))
    void (async () => {
      for await (const _request of b) await b.send("b")
    })().catch(() => undefined)
    await b.bind(`wss://127.0.0.1:${port}/b`)
    const req = track(new Request(trusting()))
    req.connect(`wss://127.0.0.1:${port}/b`)
    expect(await roundTrip(req)).toBe("b")
  })

  it("a wss bind without wssCertPem/wssKeyPem is EINVAL with bind:error; a non-PEM value is refused when set", async () => {
    const rep = track(new Reply())
    const failures = record(rep, "bind:error")
    await expect(rep.bind("wss://127.0.0.1:*")).rejects.toMatchObject({ code: "EINVAL" })
    expect(failures).toHaveLength(1)
    expect(() => (rep.wssCertPem = "/etc/ssl/cert.pem")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => (rep.wssKeyPem = LOCAL.certPem)).toThrow(expect.objectContaining({ code: "EINVAL" }))
    rep.wssTrustPem = LOCAL.certPem
    expect(rep.wssTrustPem).toBe(LOCAL.certPem)
    expect(rep.wssTrustSystem).toBe(false)
    expect(rep.wssHostname).toBe(null)
  })
})

describe("wss:// certificate checks: a clean handshake failure, retried, other peers unaffected", () => {
  async function refused(clientOptions: object, certificate = LOCAL, goodOptions: object = trusting(certificate)): Promise<void> {
    const rep = echo(track(new Reply(server(certificate))))
    const serverEvents = record(rep, "handshake:error:other")
    await rep.bind("wss://127.0.0.1:*/")
    const bad = track(new Dealer({ ...clientOptions, reconnectInterval: 20 }))
    const clientEvents = record(bad, "handshake:error:other", "connect:retry", "handshake")
    bad.connect(rep.lastEndpoint!)
    await until(() => clientEvents.filter((event) => event.type === "connect:retry").length >= 2, "two retries")
    expect(clientEvents.some((event) => event.type === "handshake")).toBe(false)
    const failure = clientEvents.find((event) => event.type === "handshake:error:other") as { error?: { code?: string } } | undefined
    expect(failure?.error?.code).toBe("EPROTO")
    await until(() => serverEvents.length > 0, "the server's handshake:error:other")
    // A trusted client of the same server is served meanwhile.
    const good = track(new Request(goodOptions))
    good.connect(rep.lastEndpoint!)
    expect(await roundTrip(good)).toBe("ok:hi")
  }

  it("a certificate the client does not trust (no trust at all, as libzmq's default)", async () => {
    await refused({})
  })

  it("a certificate other than the one trusted", async () => {
    await refused(trusting(OTHER))
  })

  it("wssTrustSystem trusts the system's CAs, which do not include a self-signed certificate", async () => {
    await refused({ wssTrustSystem: true })
  })

  it("a hostname mismatch: the certificate names other.example, the endpoint is 127.0.0.1", async () => {
    await refused(trusting(OTHER), OTHER, { ...trusting(OTHER), wssHostname: "other.example" })
  })

  it("wssHostname checks the certificate against that name instead of the endpoint's host", async () => {
    const rep = echo(track(new Reply(server(OTHER))))
    await rep.bind("wss://127.0.0.1:*/")
    const req = track(new Request({ ...trusting(OTHER), wssHostname: "other.example" }))
    req.connect(rep.lastEndpoint!)
    expect(await roundTrip(req)).toBe("ok:hi")
  })

  it("wssTrustSystem with wssTrustPem still trusts the PEM", async () => {
    const rep = echo(track(new Reply(server())))
    await rep.bind("wss://127.0.0.1:*/")
    const req = track(new Request({ ...trusting(), wssTrustSystem: true }))
    req.connect(rep.lastEndpoint!)
    expect(await roundTrip(req)).toBe("ok:hi")
  })

  it("plain ws:// to a wss port and wss:// to a ws port fail cleanly and are reported", async () => {
    const secure = echo(track(new Reply(server())))
    const serverEvents = record(secure, "handshake:error:other")
    await secure.bind("wss://127.0.0.1:*/")
    const plainClient = track(new Dealer({ reconnectInterval: 50 }))
    const plainEvents = record(plainClient, "handshake:error:other")
    plainClient.connect(secure.lastEndpoint!.replace(/^wss:/, "ws:"))
    await until(() => plainEvents.length > 0 && serverEvents.length > 0, "both sides' handshake:error:other")
    const plain = echo(track(new Reply()))
    await plain.bind("ws://127.0.0.1:*/")
    const secureClient = track(new Dealer({ ...trusting(), reconnectInterval: 50 }))
    const secureEvents = record(secureClient, "handshake:error:other")
    secureClient.connect(plain.lastEndpoint!.replace(/^ws:/, "wss:"))
    await until(() => secureEvents.length > 0, "the wss client's handshake:error:other")
  })
})

describe("wss:// against a plain node:tls bare ZWS2.0 peer", () => {
  it("a node:tls bare client against our wss server (ROUTER), routing id first", async () => {
    const context = new Context()
    const { Router } = await import("../../src/index.js")
    const router = track(new Router({ ...server(), context }))
    await router.bind("wss://127.0.0.1:*/zmq")
    const client = await bareClient(router.lastEndpoint!, "ZWS2.0", LOCAL.certPem)
    client.send(["tls-peer"])
    expect(text(await client.receive())).toEqual([""])
    client.send(["hello"])
    const [id, body] = await router.receive()
    expect([id!.toString(), body!.toString()]).toEqual(["tls-peer", "hello"])
    await router.send(["tls-peer", "back"])
    expect(text(await client.receive())).toEqual(["back"])
  })

  it("our wss DEALER against a node:tls server answering bare ZWS2.0", async () => {
    const peerServer = await bareServer({ cert: LOCAL.certPem, key: LOCAL.keyPem })
    const dealer = track(new Dealer({ ...trusting(), routingId: "ours" }))
    dealer.connect(`wss://127.0.0.1:${peerServer.port}/x`)
    const peer = await peerServer.next()
    expect(text(await peer.receive())).toEqual(["ours"])
    peer.send([""])
    peer.send(["over", "tls"])
    expect(text(await dealer.receive())).toEqual(["over", "tls"])
    await dealer.send("up")
    expect(text(await peer.receive())).toEqual(["up"])
  })
})
