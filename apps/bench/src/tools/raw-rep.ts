/**
 * The requesting side of a round trip alone: a raw REP (lib/raw-peer.ts), a server the zmq-ts REQ connects
 * to, handshakes (ZMTP NULL, tcp or ipc), skips the REQ's READY and then writes back every byte as it
 * arrives: a request's frames (the delimiter, the body) are a valid reply as they stand. Next to nothing per
 * round trip on this side: the time above the raw ping-pong is the REQ's. With `busy-us`, it spins that many
 * microseconds before each echo: what a given amount of work per message costs a round trip, wake-ups
 * included (round-trip-sides --busy). With `await`, each request goes through the shape zeromq.js's API gives
 * a REP loop (`for await (const [request] of reply) await reply.send(request)`): a promise the read resolves,
 * awaited, then an awaited send, and only then the write: the floor of any library with that API.
 *
 * usage: raw-rep <tcp|ipc> <deadline-ms> [busy-us] [await]
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { args, finish, optionalArg, ready } from "../lib/child.js"
import { listen } from "../lib/net-frames.js"
import { afterZmtpHandshake, zmtpNullHandshake } from "../lib/raw-peer.js"

const [transport, deadlineText] = args("raw-rep <tcp|ipc> <deadline-ms> [busy-us] [await]", 2, 2)
const busyMs = Number(optionalArg(2) ?? 0) / 1000
const awaiting = optionalArg(2, 1) === "await"
const SENT = Promise.resolve()
const ipcPath = transport === "ipc" ? join(tmpdir(), `zmq-ts-bench-raw-rep-${process.pid}`) : undefined
if (ipcPath !== undefined) {
  rmSync(ipcPath, { force: true })
  process.on("exit", () => rmSync(ipcPath, { force: true }))
}
let done = (): void => {}
const { server, endpoint } = await listen(ipcPath === undefined ? "tcp://127.0.0.1:*" : `ipc://${ipcPath}`, (socket) => {
  const deadline = setTimeout(() => done(), Number(deadlineText))
  done = () => {
    done = () => {}
    clearTimeout(deadline)
    void finish({}, () => socket.destroy())
  }
  socket.write(zmtpNullHandshake("REP"))
  // The REQ's greeting and READY are not echoed.
  const echo = (chunk: Buffer): void => {
    if (busyMs > 0) {
      const until = performance.now() + busyMs
      while (performance.now() < until);
    }
    socket.write(chunk)
  }
  if (awaiting) {
    // One request is in flight at a time, so at most one chunk waits.
    let waiting: ((chunk: Buffer) => void) | undefined
    let queued: Buffer[] = []
    const receive = (): Promise<Buffer> => {
      if (queued.length > 0) return Promise.resolve(queued.shift()!)
      return new Promise((resolve) => (waiting = resolve))
    }
    socket.on(
      "data",
      afterZmtpHandshake((chunk) => {
        const resolve = waiting
        waiting = undefined
        if (resolve !== undefined) resolve(chunk)
        else queued.push(chunk)
      }),
    )
    socket.on("close", () => (queued = []))
    void (async () => {
      for (;;) {
        const chunk = await receive()
        await SENT
        echo(chunk)
      }
    })()
  } else {
    socket.on("data", afterZmtpHandshake(echo))
  }
  socket.on("close", () => done())
})
server.unref()
ready([endpoint])
