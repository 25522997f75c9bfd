/**
 * local_lat: the echoing side of a latency run. Binds a REP socket (or, for `net`, a server that echoes
 * what it reads; over ws:// one that answers the upgrade and echoes every frame unmasked, lib/net-ws.ts)
 * and sends every request back until the empty end message.
 *
 * usage: local-lat <zmq-ts|zeromq.js|net> <bind-address> <deadline-ms>
 */
import { args, finish, ready } from "../lib/child.js"
import { FrameCounter, listen } from "../lib/net-frames.js"
import { listenWs, WsEchoer } from "../lib/net-ws.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, deadlineText] = args("local-lat <impl> <bind-address> <deadline-ms>", 3)
const deadlineMs = Number(deadlineText)

if (impl === "net" && address.startsWith("ws://")) {
  let finished = false
  const { server, endpoint } = await listenWs(address, (socket, rest) => {
    const echoer = new WsEchoer((frame) => socket.write(frame))
    const done = (): void => {
      if (finished) return
      finished = true
      clearTimeout(deadline)
      void finish({ echoed: echoer.frames }, () => socket.destroy())
    }
    const deadline = setTimeout(done, deadlineMs)
    // The runner's upgrade probe (lib/ws-probe.ts) is a connection too: it closes without a frame.
    socket.on("close", () => clearTimeout(deadline))
    const onData = (chunk: Buffer): void => {
      echoer.feed(chunk)
      if (echoer.ended) done()
    }
    socket.on("data", onData)
    if (rest.length > 0) onData(rest)
  })
  server.unref()
  ready([endpoint])
} else if (impl === "net") {
  const counter = new FrameCounter()
  const { server, endpoint } = await listen(address, (socket) => {
    const deadline = setTimeout(() => done(), deadlineMs)
    let done = (): void => {
      done = () => {}
      clearTimeout(deadline)
      void finish({ echoed: counter.frames }, () => socket.destroy())
    }
    socket.on("data", (chunk: Buffer) => {
      counter.feed(chunk)
      socket.write(chunk) // one request is in flight at a time: echoing the bytes echoes the message
      if (counter.ended) done()
    })
  })
  server.unref()
  ready([endpoint])
} else {
  const zmq = await loadZmq(impl)
  const reply = new zmq.Reply()
  await reply.bind(address)
  ready([reply.lastEndpoint!])
  const deadline = setTimeout(() => reply.close(), deadlineMs)
  let echoed = 0
  try {
    for await (const [message] of reply) {
      await reply.send(message!)
      if (message!.length === 0) break
      echoed++
    }
  } catch {
    // closed at the deadline
  }
  clearTimeout(deadline)
  await finish({ echoed }, () => {
    reply.linger = 0
    reply.close()
  })
}
