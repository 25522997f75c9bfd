/**
 * local_lat: the echoing side of a latency run. Binds a REP socket (or, for `net`, a server that echoes
 * what it reads) and sends every request back until the empty end message.
 *
 * usage: local-lat <zmq-ts|zeromq.js|net> <bind-address> <deadline-ms>
 */
import { args, finish, ready } from "../lib/child.js"
import { FrameCounter, listen } from "../lib/net-frames.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, deadlineText] = args("local-lat <impl> <bind-address> <deadline-ms>", 3)
const deadlineMs = Number(deadlineText)

if (impl === "net") {
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
