/**
 * CURVE over ws:// ("ZWS2.0/CURVE", libzmq's subprotocol): between zmq-ts sockets, and against Debian's
 * libzmq 4.3.4 (pyzmq, test/fixtures/pyzmq-curve-peer.py) in both roles.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Reply, Request, curveKeyPair } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { pythonPasses, pythonPeer } from "../helpers/python-peer.js"

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-curve-peer.py", import.meta.url))
const HAS_WS = pythonPasses("import zmq, sys; sys.exit(0 if zmq.has('WS') and zmq.has('curve') else 1)")

const SERVER = curveKeyPair()
const CLIENT = curveKeyPair()
const KEYS = { SERVER_PUBLIC: SERVER.publicKey, SERVER_SECRET: SERVER.secretKey, CLIENT_PUBLIC: CLIENT.publicKey, CLIENT_SECRET: CLIENT.secretKey }
const serverOptions = { curveServer: true, curveSecretKey: SERVER.secretKey, receiveTimeout: 5000 }
const clientOptions = { curveServerKey: SERVER.publicKey, curvePublicKey: CLIENT.publicKey, curveSecretKey: CLIENT.secretKey, receiveTimeout: 5000 }


/** The fixture in `role` at `endpoint`: the function that waits for its next line with a prefix. */
const pyzmq = (role: string, endpoint: string): ((prefix: string) => Promise<string>) => pythonPeer([PEER, role, endpoint], KEYS, role).line

describe("CURVE over ws://", () => {
  it("zmq-ts REQ ↔ zmq-ts REP", async () => {
    const rep = track(new Reply(serverOptions))
    await rep.bind("ws://127.0.0.1:*/")
    const req = track(new Request(clientOptions))
    req.connect(rep.lastEndpoint!)
    await req.send(["secret", Buffer.alloc(50_000, 3)])
    const request = await rep.receive()
    expect(request.map((f) => f.length)).toEqual([6, 50_000])
    await rep.send("ok")
    expect((await req.receive()).map(String)).toEqual(["ok"])
    expect(req.securityMechanism).toBe("curve")
  })
})

describe.runIf(HAS_WS || process.env["CI"] === "true")("CURVE over ws:// against libzmq 4.3.4", () => {
  it("our REQ client → libzmq REP server", async () => {
    const line = pyzmq("rep-server", "ws://127.0.0.1:*/")
    const endpoint = await line("ENDPOINT")
    const req = track(new Request(clientOptions))
    req.connect(endpoint)
    await req.send(["hello", "", Buffer.alloc(100_000, 0x78)])
    expect((await line("GOT")).length).toBe("hello||".length + 100_000)
    expect((await req.receive()).map((f) => f.length)).toEqual([5, 5, 0, 100_000])
  })

  it("libzmq REQ client → our REP server", async () => {
    const rep = track(new Reply(serverOptions))
    await rep.bind("ws://127.0.0.1:*/")
    const line = pyzmq("req-client", rep.lastEndpoint!)
    const request = await rep.receive()
    expect(request.map((f) => f.length)).toEqual([5, 0, 100_000])
    await rep.send(["answer", ...request.slice(0, 2)])
    expect(await line("GOT")).toBe("answer|hello|")
  })
})
