/**
 * The sending side of a pub-sub fan-out alone: `n` raw subscribers (lib/raw-peer.ts), each a server a zmq-ts
 * PUB connects to, handshake as SUBs (ZMTP NULL, tcp or ipc), subscribe to everything (the RFC 29 message
 * 0x01 with an empty topic) and then only count frames, never decoding them, until each has seen the empty
 * end message (or no data came for a second). Reports the aggregate delivery rate as local-sub does: what
 * the sending side of zmq-ts can do on its own.
 *
 * usage: raw-subs <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>
 */
import { args, finish, Meter, now, ready } from "../lib/child.js"
import { FrameCounter, listen } from "../lib/net-frames.js"
import { serverHandshake } from "../lib/raw-peer.js"

const [where, nText, warmupText, deadlineText] = args("raw-subs <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>", 4)
const n = Number(nText)
const deadlineMs = Number(deadlineText)
/** A message frame (flags 0, size 1) whose body is 0x01: subscribe to every topic. */
const SUBSCRIBE_ALL = Buffer.from([0x00, 0x01, 0x01])

const meter = new Meter(Number(warmupText))
let last = 0
let ended = 0
const sockets: Array<{ destroy(): void; pause(): void }> = []
const endpoints: string[] = []
for (let i = 0; i < n; i++) {
  const counter = new FrameCounter()
  let counted = 0
  let done = false
  const { server, endpoint } = await listen(where === "tcp" ? "tcp://127.0.0.1:*" : `${where}-${i}`, (socket) => {
    sockets.push(socket)
    serverHandshake(socket, "tcp", "SUB", (chunk) => {
      counter.feed(chunk)
      if (counter.frames !== counted) {
        meter.add(counter.frames - counted)
        counted = counter.frames
        last = now()
      }
      if (counter.ended && !done) {
        done = true
        ended++
        socket.pause()
      }
    })
    socket.write(SUBSCRIBE_ALL)
  })
  server.unref()
  endpoints.push(endpoint)
}
ready(endpoints)
await new Promise<void>((resolve) => {
  const deadline = now() + deadlineMs / 1000
  const watchdog = setInterval(() => {
    const time = now()
    if (ended === n || time > deadline || (last !== 0 && time - last > 1)) {
      clearInterval(watchdog)
      for (const socket of sockets) socket.pause()
      resolve()
    }
  }, 50)
})
await finish({ ...meter.result(last), ended }, () => {
  for (const socket of sockets) socket.destroy()
})
