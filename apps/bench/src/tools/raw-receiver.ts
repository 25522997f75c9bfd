/**
 * The receiving side alone: a raw server (lib/raw-peer.ts) that a zmq-ts PUSH connects to; it handshakes as
 * a PULL (or `socket-type`: ROUTER for a DEALER; ZMTP NULL over tcp, bare ZWS 2.0 over ws) and then only counts frames, never decoding or
 * unmasking them. The rate it measures is what the sending side of zmq-ts can do on its own. With `gather`
 * (tcp, ipc), each frame split across reads is copied into a fresh buffer of its own, as any library handing
 * out whole messages must: fed by the raw sender, that is the floor of a Node receiver (src/sides.ts).
 *
 * usage: raw-receiver <tcp|ipc|ws> <size> <warmup-seconds> <deadline-ms> [socket-type] [gather]   (ipc: ZMTP on a Unix socket in the temp directory)
 */
import { rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { args, finish, Meter, optionalArg, ready } from "../lib/child.js"
import { FrameCounter } from "../lib/net-frames.js"
import { WsFrameCounter } from "../lib/net-ws.js"
import { type RawTransport, serverHandshake } from "../lib/raw-peer.js"

const [transportText, sizeText, warmupText, deadlineText] = args("raw-receiver <tcp|ipc|ws> <size> <warmup-seconds> <deadline-ms> [socket-type] [gather]", 4, 2)
const socketType = optionalArg(4) ?? "PULL"
const transport: RawTransport = transportText === "ws" ? "ws" : "tcp"
const ipcPath = transportText === "ipc" ? join(tmpdir(), `zmq-ts-bench-raw-${process.pid}`) : undefined
const size = Number(sizeText)
const meter = new Meter(Number(warmupText))
const ws = transport === "ws" ? new WsFrameCounter() : undefined
const zmtp = ws === undefined ? new FrameCounter(optionalArg(4, 1) === "gather") : undefined
const counter = (ws ?? zmtp)!
/** The end message: ZMTP's empty frame; over bare ZWS the second message with no body (the routing id is the first). */
const ended = (): boolean => (ws === undefined ? zmtp!.ended : ws.emptyMessages >= 2)

const server = createServer((socket) => {
  if (ipcPath === undefined) socket.setNoDelay(true)
  const deadline = setTimeout(() => done(), Number(deadlineText))
  let done = (): void => {
    done = () => {}
    clearTimeout(deadline)
    socket.pause()
    void finish({ ...meter.result(), badSize: counter.lastSize === size ? 0 : 1 }, () => socket.destroy())
  }
  let counted = 0
  serverHandshake(socket, transport, socketType, (chunk) => {
    counter.feed(chunk)
    meter.add(counter.frames - counted)
    counted = counter.frames
    if (ended()) done()
  })
})
if (ipcPath !== undefined) {
  rmSync(ipcPath, { force: true })
  server.listen(ipcPath, () => ready([`ipc://${ipcPath}`]))
  process.on("exit", () => rmSync(ipcPath, { force: true }))
} else {
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number }
    ready([`${transport}://127.0.0.1:${port}${transport === "ws" ? "/" : ""}`])
  })
}
server.unref()
