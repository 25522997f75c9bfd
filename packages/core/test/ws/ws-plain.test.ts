/**
 * PLAIN over ws:// ("ZWS2.0/PLAIN"): our PLAIN server (its Authenticator judging the password) with our
 * client and with libzmq 4.3.4's (pyzmq) client; our client against libzmq's PLAIN server.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { Authenticator } from "../../src/auth.js"
import { Context, Reply, Request } from "../../src/index.js"

const PYTHON = "/usr/bin/python3"
const HAS_WS = spawnSync(PYTHON, ["-c", "import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)"]).status === 0

const cleanups: Array<() => unknown> = []
const children: ChildProcessWithoutNullStreams[] = []
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function plainServer(): Promise<Reply> {
  const context = new Context()
  const auth = new Authenticator({ context })
  await auth.start()
  auth.configurePlain({ admin: "secret" })
  const rep = new Reply({ context, plainServer: true, receiveTimeout: 5000 })
  cleanups.push(() => context.terminate(), () => auth.stop(), () => rep.close())
  await rep.bind("ws://127.0.0.1:*/")
  return rep
}

function python(script: string): () => Promise<string> {
  const child = spawn(PYTHON, ["-c", script])
  children.push(child)
  let out = ""
  let err = ""
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
  return async () => {
    for (let i = 0; i < 800 && !out.includes("\n"); i++) await new Promise((r) => setTimeout(r, 10))
    if (!out.includes("\n")) throw new Error(`python: no output; stderr ${err}`)
    const line = out.slice(0, out.indexOf("\n"))
    out = out.slice(out.indexOf("\n") + 1)
    return line
  }
}

describe("PLAIN over ws://", () => {
  it("zmq-ts client ↔ zmq-ts server with its Authenticator", async () => {
    const rep = await plainServer()
    const req = new Request({ plainUsername: "admin", plainPassword: "secret", receiveTimeout: 5000 })
    cleanups.push(() => req.close())
    req.connect(rep.lastEndpoint!)
    await req.send("hi")
    expect((await rep.receive()).map(String)).toEqual(["hi"])
    await rep.send("yo")
    expect((await req.receive()).map(String)).toEqual(["yo"])
  })
})

describe.skipIf(!HAS_WS)("PLAIN over ws:// against libzmq 4.3.4", () => {
  it("libzmq's PLAIN client → our server", async () => {
    const rep = await plainServer()
    const next = python(
      [
        "import zmq",
        "s = zmq.Context().socket(zmq.REQ); s.linger = 0; s.plain_username = b'admin'; s.plain_password = b'secret'",
        `s.connect(${JSON.stringify(rep.lastEndpoint)}); s.send(b'from-py'); print(s.recv().decode(), flush=True)`,
      ].join("\n"),
    )
    expect((await rep.receive()).map(String)).toEqual(["from-py"])
    await rep.send("to-py")
    expect(await next()).toBe("to-py")
  })

  it("our PLAIN client → libzmq's PLAIN server (pyzmq's ThreadAuthenticator: libzmq's PLAIN needs a handler, over tcp too)", async () => {
    const next = python(
      [
        "import zmq",
        "from zmq.auth.thread import ThreadAuthenticator",
        "c = zmq.Context(); a = ThreadAuthenticator(c); a.start(); a.configure_plain(domain='*', passwords={'admin': 'secret'})",
        "s = c.socket(zmq.REP); s.linger = 0; s.plain_server = True; s.bind('ws://127.0.0.1:*/')",
        "print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)",
        "m = s.recv(); s.send(b'py:' + m); print('done', flush=True)",
      ].join("\n"),
    )
    const endpoint = await next()
    const req = new Request({ plainUsername: "admin", plainPassword: "secret", receiveTimeout: 5000 })
    cleanups.push(() => req.close())
    req.connect(endpoint)
    await req.send("x")
    expect((await req.receive()).map(String)).toEqual(["py:x"])
  })
})
