/**
 * CURVE over ws:// ("ZWS2.0/CURVE", libzmq's subprotocol): between zmq-ts sockets, and against Debian's
 * libzmq 4.3.4 (pyzmq, test/fixtures/pyzmq-curve-peer.py) in both roles.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { Reply, Request, curveKeyPair } from "../../src/index.js"

const PYTHON = "/usr/bin/python3"
const PEER = fileURLToPath(new URL("../fixtures/pyzmq-curve-peer.py", import.meta.url))
const HAS_WS = spawnSync(PYTHON, ["-c", "import zmq, sys; sys.exit(0 if zmq.has('WS') and zmq.has('curve') else 1)"]).status === 0

const SERVER = curveKeyPair()
const CLIENT = curveKeyPair()
const KEYS = { SERVER_PUBLIC: SERVER.publicKey, SERVER_SECRET: SERVER.secretKey, CLIENT_PUBLIC: CLIENT.publicKey, CLIENT_SECRET: CLIENT.secretKey }
const serverOptions = { curveServer: true, curveSecretKey: SERVER.secretKey, receiveTimeout: 5000 }
const clientOptions = { curveServerKey: SERVER.publicKey, curvePublicKey: CLIENT.publicKey, curveSecretKey: CLIENT.secretKey, receiveTimeout: 5000 }

const children: ChildProcessWithoutNullStreams[] = []
const sockets: Array<{ close(): void }> = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
  for (const socket of sockets.splice(0)) socket.close()
})
const track = <S extends { close(): void }>(socket: S): S => (sockets.push(socket), socket)

function pyzmq(role: string, endpoint: string): (prefix: string) => Promise<string> {
  const child = spawn(PYTHON, [PEER, role, endpoint], { env: { ...process.env, ...KEYS } })
  children.push(child)
  let out = ""
  let err = ""
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
  return async (prefix) => {
    for (let i = 0; i < 800; i++) {
      const line = out.split("\n").find((l) => l.startsWith(`${prefix} `))
      if (line !== undefined) {
        out = out.replace(`${line}\n`, "")
        return line.slice(prefix.length + 1)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`pyzmq ${role}: no ${prefix}; stdout ${out}; stderr ${err}`)
  }
}

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

describe.skipIf(!HAS_WS)("CURVE over ws:// against libzmq 4.3.4", () => {
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
