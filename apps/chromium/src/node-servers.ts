/**
 * zmq-ts on Node as the server the page talks to, in the test process: each binds at `endpoint` (ws:// or
 * wss://, port "*"), serves until the test ends (the socket is closed after it), and resolves with its
 * real endpoint.
 */
import { Publisher, Reply, Router } from "@zmq-ts/core"
import { afterThisTest, track } from "./cleanup.js"

type Options<T> = T extends new (options?: infer O) => unknown ? O : never

/** REP answering each request with "node:" before each frame. */
export async function nodeReply(endpoint: string, options: Options<typeof Reply> = {}): Promise<string> {
  const rep = track(new Reply(options))
  await rep.bind(endpoint)
  void (async () => {
    for await (const frames of rep) await rep.send(frames.map((frame) => Buffer.concat([Buffer.from("node:"), frame])))
  })().catch(() => {})
  return rep.lastEndpoint!
}

/** ROUTER answering each [id, ...] with [id, "node", ...]. */
export async function nodeRouter(endpoint: string, options: Options<typeof Router> = {}): Promise<string> {
  const router = track(new Router(options))
  await router.bind(endpoint)
  void (async () => {
    for await (const [id, ...frames] of router) await router.send([id!, "node", ...frames])
  })().catch(() => {})
  return router.lastEndpoint!
}

/** PUB sending ["other", n] and ["topic", n] every 20 ms, or `body` alone when given. */
export async function nodePublisher(endpoint: string, options: Options<typeof Publisher> = {}, body?: Buffer): Promise<string> {
  const pub = track(new Publisher(options))
  await pub.bind(endpoint)
  let n = 0
  const timer = setInterval(() => {
    n++
    if (body !== undefined) void pub.send(body).catch(() => {})
    else void pub.send(["other", String(n)]).then(() => pub.send(["topic", String(n)])).catch(() => {})
  }, 20)
  afterThisTest(() => clearInterval(timer))
  return pub.lastEndpoint!
}
