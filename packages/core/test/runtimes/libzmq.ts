/**
 * A real libzmq peer from the runtime under test: Debian's libzmq 4.3.4 through /usr/bin/python3 (pyzmq;
 * `.ci/run` installs python3-zmq), NULL over tcp and ws, in both directions: the peer binds and we connect,
 * and we bind and the peer connects. The peer is test/fixtures/pyzmq-ws-peer.py (any endpoint works).
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Push, Request, Subscriber } from "@zmq-ts/core"
import { equal, linesOf, test, type Scope } from "./harness.ts"

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-ws-peer.py", import.meta.url))

function pyzmq(scope: Scope, role: string, endpoint: string): ReturnType<typeof linesOf> {
  const child = spawn("/usr/bin/python3", [PEER, role, endpoint], { stdio: ["ignore", "pipe", "pipe"] })
  scope.defer(() => child.kill("SIGKILL"))
  return linesOf(child, `pyzmq ${role}`)
}

const text = (frames: readonly Uint8Array[]): string[] => frames.map((frame) => new TextDecoder().decode(frame))

for (const [transport, address] of [
  ["tcp", "tcp://127.0.0.1:*"],
  ["ws", "ws://127.0.0.1:*/zmq"],
] as const) {
  test(`libzmq 4.3.4 binds REP over ${transport}, our REQ connects`, async (scope) => {
    const peer = pyzmq(scope, "bind-rep", address)
    const endpoint = (await peer.next("endpoint ")).slice("endpoint ".length)
    const req = scope.track(new Request())
    req.connect(endpoint)
    await req.send(["a", new Uint8Array(70_000).fill(1)])
    const reply = await req.receive()
    equal(text(reply.slice(0, 1)), ["py:a"], "the first frame, prefixed by libzmq")
    equal(reply[1]!.length, 70_003, "the 70 kB frame, prefixed")
  })

  test(`we bind REQ over ${transport}, libzmq 4.3.4's REP connects`, async (scope) => {
    const req = scope.track(new Request())
    await req.bind(address)
    const peer = pyzmq(scope, "connect-rep", req.lastEndpoint!)
    await peer.next("endpoint ")
    await req.send("hello")
    equal(text(await req.receive()), ["py:hello"], "libzmq's reply")
  })

  test(`we bind PUSH over ${transport}, libzmq 4.3.4's PULL connects`, async (scope) => {
    const push = scope.track(new Push())
    await push.bind(address)
    const peer = pyzmq(scope, "connect-pull", push.lastEndpoint!)
    await peer.next("endpoint ")
    await push.send(["one", "two"])
    equal(await peer.next("got "), "got one|two", "what libzmq received")
  })

  test(`libzmq 4.3.4 binds PUB over ${transport}, our SUB's subscription reaches it`, async (scope) => {
    const peer = pyzmq(scope, "bind-pub", address)
    const endpoint = (await peer.next("endpoint ")).slice("endpoint ".length)
    const sub = scope.track(new Subscriber())
    sub.connect(endpoint)
    sub.subscribe("top")
    for (let i = 0; i < 3; i++) equal(text(await sub.receive()).slice(0, 1), ["topic"], "only the subscribed topic")
  })
}

