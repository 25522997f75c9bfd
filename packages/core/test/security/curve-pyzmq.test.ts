/**
 * CURVE against Debian's libzmq 4.3.4 (python3-zmq, installed by .ci/run), our socket in either role, over
 * tcp and ipc: REQ/REP with a 100 kB frame, PUB/SUB whose subscription must reach the publisher encrypted,
 * and ZAP on both sides — pyzmq's ThreadAuthenticator judging our client's key, our Authenticator
 * (@zmq-ts/core/auth) judging pyzmq's. The peer is test/fixtures/pyzmq-curve-peer.py.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Authenticator } from "../../src/auth.js"
import { Context, Publisher, Reply, Request, Subscriber, curveKeyPair, type Socket } from "../../src/index.js"
import { bindAddress, ipcAddress, nextEvent, track, type PeerTransport } from "../helpers/libzmq-peers.js"
import { pythonPasses, pythonPeer, type PythonPeer } from "../helpers/python-peer.js"

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-curve-peer.py", import.meta.url))
const HAS_PYZMQ = pythonPasses("import zmq; assert zmq.has('curve')")

const SERVER = curveKeyPair()
const CLIENT = curveKeyPair()
const STRANGER = curveKeyPair()
const KEYS = { SERVER_PUBLIC: SERVER.publicKey, SERVER_SECRET: SERVER.secretKey, CLIENT_PUBLIC: CLIENT.publicKey, CLIENT_SECRET: CLIENT.secretKey }

/** The fixture in `role`, at `endpoint`, with the keys (and `env`) in its environment. */
function pyzmq(role: string, endpoint: string, env: Record<string, string> = {}): PythonPeer {
  return pythonPeer([PEER, role, endpoint], { ...KEYS, ...env }, role)
}

const serverOptions = { curveServer: true, curveSecretKey: SERVER.secretKey }
const clientOptions = (client = CLIENT) => ({ curveServerKey: SERVER.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey })
const TRANSPORTS: readonly PeerTransport[] = ["tcp", "ipc"]
/** What pyzmq binds: it prints the real endpoint for a tcp wildcard. */
const pyBindAddress = (transport: PeerTransport): string => (transport === "tcp" ? "tcp://127.0.0.1:*" : ipcAddress())

describe.runIf(HAS_PYZMQ || process.env["CI"] === "true")("CURVE against libzmq 4.3.4 (python3-zmq)", () => {
  it("python3-zmq is installed with CURVE (CI installs it; without it this suite would prove nothing)", () => {
    expect(HAS_PYZMQ).toBe(true)
  })

  it.each(TRANSPORTS)("%s: our REQ client → libzmq REP server", async (transport) => {
    const peer = pyzmq("rep-server", pyBindAddress(transport))
    const endpoint = await peer.line("ENDPOINT")
    const request = track(new Request({ ...clientOptions(), receiveTimeout: 5000 }))
    request.connect(endpoint)
    await request.send(["hello", "", Buffer.alloc(100_000, 0x78)])
    expect((await peer.line("GOT")).length).toBe("hello||".length + 100_000)
    const reply = await request.receive()
    expect(reply.map((frame) => frame.length)).toEqual([5, 5, 0, 100_000])
    expect(request.securityMechanism).toBe("curve")
  })

  it.each(TRANSPORTS)("%s: libzmq REQ client → our REP server", async (transport) => {
    const reply = track(new Reply({ ...serverOptions, receiveTimeout: 5000 }))
    await reply.bind(bindAddress(transport))
    const peer = pyzmq("req-client", reply.lastEndpoint!)
    const request = await reply.receive()
    expect(request.map((frame) => frame.length)).toEqual([5, 0, 100_000])
    await reply.send(["answer", ...request.slice(0, 2)])
    expect(await peer.line("GOT")).toBe("answer|hello|")
  })

  it.each(TRANSPORTS)("%s: our SUB → libzmq PUB: only the subscribed topic arrives (SUBSCRIBE inside MESSAGE)", async (transport) => {
    const peer = pyzmq("pub-server", pyBindAddress(transport))
    const endpoint = await peer.line("ENDPOINT")
    const sub = track(new Subscriber({ ...clientOptions(), receiveTimeout: 5000 }))
    sub.subscribe("A")
    sub.connect(endpoint)
    for (let i = 0; i < 5; i++) expect((await sub.receive()).map(String)).toEqual(["A", "subscribed"])
    peer.write("stop\n")
  })

  it.each(TRANSPORTS)("%s: libzmq SUB → our PUB", async (transport) => {
    const pub = track(new Publisher(serverOptions))
    await pub.bind(bindAddress(transport))
    const peer = pyzmq("sub-client", pub.lastEndpoint!)
    const got = peer.line("GOT")
    let done = false
    void got.finally(() => (done = true))
    while (!done) {
      await pub.send(["B", "not subscribed"])
      await pub.send(["A", "subscribed"])
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await got).toBe("A|subscribed")
  })

  it("pyzmq's ThreadAuthenticator lets our allowed key in and refuses another with 400", async () => {
    const peer = pyzmq("rep-server", "tcp://127.0.0.1:*", { ALLOW: CLIENT.publicKey })
    const endpoint = await peer.line("ENDPOINT")
    const stranger = track(new Request({ ...clientOptions(STRANGER), receiveTimeout: 5000, reconnectInterval: 1000 }))
    const denied = nextEvent(stranger, "handshake:error:auth")
    stranger.connect(endpoint)
    expect((await denied).error).toMatchObject({ status: 400 })
    const request = track(new Request({ ...clientOptions(), receiveTimeout: 5000 }))
    request.connect(endpoint)
    await request.send("let me in")
    const answer = await request.receive().catch(async (error: unknown) => {
      throw new Error(`${String(error)}; peer said ${await peer.line("TIMEOUT").then(() => "TIMEOUT", () => "nothing")}`)
    })
    expect(answer.map(String)).toEqual(["reply", "let me in"])
  })

  it("our Authenticator judges libzmq clients' keys: the allowed one is served, another refused", async () => {
    const context = new Context()
    const auth = new Authenticator({ context })
    await auth.start()
    try {
      auth.configureCurve([CLIENT.publicKey])
      const decisions: Array<{ allowed: boolean; userId?: string | undefined }> = []
      auth.on("decision", (decision: { allowed: boolean; userId?: string }) => decisions.push(decision))
      const reply = track(new Reply({ ...serverOptions, context, receiveTimeout: 5000 }))
      const refused = nextEvent(reply as Socket, "handshake:error:auth")
      await reply.bind("tcp://127.0.0.1:*")
      const stranger = pyzmq("req-client", reply.lastEndpoint!, { CLIENT_PUBLIC: STRANGER.publicKey, CLIENT_SECRET: STRANGER.secretKey, TIMEOUT_MS: "800" })
      expect((await refused).error).toMatchObject({ status: 400 })
      expect(await stranger.line("TIMEOUT")).toBe("")
      pyzmq("req-client", reply.lastEndpoint!)
      const request = await reply.receive()
      expect(request.map((frame) => frame.length)).toEqual([5, 0, 100_000])
      expect(decisions.map((decision) => decision.allowed)).toEqual([false, true])
      expect(decisions[1]?.userId).toBe(CLIENT.publicKey)
    } finally {
      await auth.stop()
      context.terminate()
    }
  })
})
