/**
 * The runtime's own WebSocket (Bun's and Deno's global, a third-party RFC 6455 client as a browser's is)
 * speaks bare "ZWS2.0" to our ws server in the same process: the only subprotocol such a client can offer
 * (RFC 45: no mechanism, each side's routing id first, then one ZMTP frame per binary message, a flags
 * byte before the body). Node 20 has no global WebSocket without a flag (the vitest suite covers Node's
 * undici one in test/ws/ws-bare.test.ts).
 */
import { Reply, Router } from "@zmq-ts/core"
import { check, equal, test, within, type Scope } from "./harness.ts"

const NO_GLOBAL = "Node 20 has no global WebSocket without --experimental-websocket"

const frame = (flags: number, body = ""): Uint8Array => new Uint8Array([flags, ...new TextEncoder().encode(body)])
const decode = (message: ArrayBuffer): string => {
  const bytes = new Uint8Array(message)
  return `${bytes[0]}:${new TextDecoder().decode(bytes.subarray(1))}`
}

/** Opens `url` with protocol "ZWS2.0", sends `frames` once open, and resolves with the first `count` messages. */
async function exchange(scope: Scope, url: string, frames: Uint8Array[], count: number): Promise<{ protocol: string; got: string[] }> {
  const ws = new WebSocket(url, "ZWS2.0")
  ws.binaryType = "arraybuffer"
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()))
  scope.defer(async () => {
    ws.close()
    await within(closed, 5000, "the WebSocket to close")
  })
  const got: string[] = []
  const done = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => {
      for (const payload of frames) ws.send(payload)
    })
    ws.addEventListener("message", (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) return reject(new Error(`a ${typeof event.data} message, not binary`))
      got.push(decode(event.data))
      if (got.length === count) resolve()
    })
    ws.addEventListener("error", () => reject(new Error("the WebSocket failed")))
    ws.addEventListener("close", () => reject(new Error(`closed after ${got.length} messages`)))
  })
  await within(done, 5000, `${count} messages`)
  return { protocol: ws.protocol, got }
}

test("platform WebSocket: bare ZWS2.0 REQ-style exchange with our REP (routing ids, delimiter, reply)", async (scope) => {
  check(typeof WebSocket === "function", "a global WebSocket")
  const rep = scope.track(new Reply())
  await rep.bind("ws://127.0.0.1:*/zmq")
  const serving = (async () => {
    const [request] = await rep.receive()
    await rep.send(`re:${new TextDecoder().decode(request)}`)
  })()
  // Our routing id (empty, last), then REQ's empty delimiter (more) and the body.
  const { protocol, got } = await exchange(scope, rep.lastEndpoint!, [frame(0), frame(1), frame(0, "ask")], 3)
  await serving
  equal(protocol, "ZWS2.0", "the subprotocol our server chose")
  equal(got, ["0:", "1:", "0:re:ask"], "the REP's routing id (empty), then delimiter and reply")
}, 10_000, { node: NO_GLOBAL })

test("platform WebSocket: bare ZWS2.0 to our ROUTER, which routes by the routing id the client sent", async (scope) => {
  check(typeof WebSocket === "function", "a global WebSocket")
  const router = scope.track(new Router())
  await router.bind("ws://127.0.0.1:*/zmq")
  const serving = (async () => {
    const [id, body] = await router.receive()
    const name = new TextDecoder().decode(id)
    await router.send([id!, `to ${name}: ${new TextDecoder().decode(body)}`])
  })()
  const { got } = await exchange(scope, router.lastEndpoint!, [frame(0, "web-7"), frame(0, "hi")], 2)
  await serving
  equal(got, ["0:", "0:to web-7: hi"], "the ROUTER's routing id (empty), then the routed reply")
}, 10_000, { node: NO_GLOBAL })
