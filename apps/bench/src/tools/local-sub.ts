/**
 * The receiving side of a pub-sub fan-out run: `n` SUB sockets (or, for `net` and `raw`, `n` servers) each bind
 * (tcp://127.0.0.1:* or <ipc-prefix>-<i>) and subscribe to everything, all read in this one process, until
 * each has seen the empty end message (or, since PUB drops at its high-water mark, until no data came for a
 * second). Reports the aggregate delivery rate: data messages received on all sockets after a warm-up of
 * `warmup` seconds, over the time from the end of the warm-up to the last one. `net` servers count raw
 * frames with no handshake (the floor of the case); `raw` ones first handshake as ZMTP NULL SUBs
 * (lib/raw-peer.ts) and subscribe to everything, so a zmq-ts PUB can feed them: its sending side alone
 * (src/sides.ts).
 *
 * usage: local-sub <zmq-ts|zeromq.js|net|raw> <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>
 */
import { args, finish, Meter, now, ready } from "../lib/child.js"
import { FrameCounter, listen } from "../lib/net-frames.js"
import { serverHandshake } from "../lib/raw-peer.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, where, nText, warmupText, deadlineText] = args("local-sub <impl> <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>", 5)
const n = Number(nText)
const deadlineMs = Number(deadlineText)
const addressOf = (i: number): string => (where === "tcp" ? "tcp://127.0.0.1:*" : `${where}-${i}`)

const meter = new Meter(Number(warmupText))
/** When the last data message arrived: read every 16 messages (reading the clock costs ~40 ns). */
let last = 0
let tick = 0
let ended = 0
let stopAll: () => void = () => {}
let cleanup: () => void = () => {}

const allDone = new Promise<void>((resolve) => {
  const deadline = now() + deadlineMs / 1000
  const watchdog = setInterval(() => {
    const time = now()
    if (ended === n || time > deadline || (last !== 0 && time - last > 1)) {
      clearInterval(watchdog)
      stopAll()
      resolve()
    }
  }, 50)
})

/** A message frame (flags 0, size 1) whose body is 0x01: subscribe to every topic (RFC 29). */
const SUBSCRIBE_ALL = Buffer.from([0x00, 0x01, 0x01])

if (impl === "net" || impl === "raw") {
  const endpoints: string[] = []
  const sockets: Array<{ destroy(): void; pause(): void }> = []
  for (let i = 0; i < n; i++) {
    const counter = new FrameCounter()
    // A raw SUB's first frame is the publisher's READY: not a message (nor a sign of life that starts the idle clock).
    let counted = impl === "raw" ? 1 : 0
    let done = false
    const { server, endpoint } = await listen(addressOf(i), (socket) => {
      sockets.push(socket)
      const onData = (chunk: Buffer): void => {
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
      }
      if (impl === "net") {
        socket.on("data", onData)
        return
      }
      serverHandshake(socket, "tcp", "SUB", onData)
      socket.write(SUBSCRIBE_ALL)
    })
    server.unref()
    endpoints.push(endpoint)
  }
  stopAll = () => {
    for (const socket of sockets) socket.pause()
  }
  cleanup = () => {
    for (const socket of sockets) socket.destroy()
  }
  ready(endpoints)
} else {
  const zmq = await loadZmq(impl)
  const subscribers = [] as Array<InstanceType<typeof zmq.Subscriber>>
  for (let i = 0; i < n; i++) {
    const subscriber = new zmq.Subscriber()
    subscriber.subscribe()
    await subscriber.bind(addressOf(i))
    subscribers.push(subscriber)
  }
  ready(subscribers.map((subscriber) => subscriber.lastEndpoint!))
  for (const subscriber of subscribers) {
    void (async () => {
      try {
        for await (const [message] of subscriber) {
          if (message!.length === 0) {
            ended++
            break
          }
          meter.add(1)
          if ((++tick & 15) === 0 || last === 0) last = now()
        }
      } catch {
        // closed when the run ended
      }
    })()
  }
  stopAll = () => {
    for (const subscriber of subscribers) {
      subscriber.linger = 0
      subscriber.close()
    }
  }
}

await allDone
await finish({ ...meter.result(last), ended }, cleanup)
