/**
 * The floor of a large-message round trip for any library that hands messages over whole: a raw Node
 * ping-pong over loopback tcp (two processes) where each side gathers the whole message before sending it
 * back, into a fresh buffer per message ("fresh", as a library must, the message being the user's) or into
 * one buffer reused ("reused"). `--junk N` makes both processes hold N small objects first, to show how V8's
 * collector reacts to the buffers' external memory as the heap grows (decision 0019).
 *
 *   pnpm --filter @zmq-ts/bench store-and-forward [--size 65536] [--round-trips 20000] [--junk 0]
 */
import { fork } from "node:child_process"
import { once } from "node:events"
import { connect, createServer, type AddressInfo, type Socket } from "node:net"
import { fileURLToPath } from "node:url"
import { argv, option } from "./lib/command-line.js"

const size = Number(option("--size", "65536"))
const roundTrips = Number(option("--round-trips", "20000"))
const junk = Number(option("--junk", "0"))
const WARMUP = 2000
const held = Array.from({ length: junk }, (_, i) => ({ i, text: `x${i}` }))

/** Calls `onMessage` with each whole message of `size` bytes, gathered from the stream's chunks. */
function gatherer(fresh: boolean, onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  const reused = Buffer.allocUnsafe(size)
  let body: Buffer | undefined
  let fill = 0
  return (chunk) => {
    let pos = 0
    while (pos < chunk.length) {
      if (body === undefined) {
        body = fresh ? Buffer.allocUnsafe(size) : reused
        fill = 0
      }
      const take = Math.min(size - fill, chunk.length - pos)
      chunk.copy(body, fill, pos, pos + take)
      fill += take
      pos += take
      if (fill === size) {
        const message = body
        body = undefined
        onMessage(message)
      }
    }
  }
}

if (argv[0] === "--echo") {
  const fresh = argv[1] === "fresh"
  const server = createServer((socket) => {
    socket.setNoDelay(true)
    socket.on("data", gatherer(fresh, (message) => socket.write(message)))
  })
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port))
  process.on("disconnect", () => process.exit(0))
} else {
  const run = async (mode: "fresh" | "reused"): Promise<number> => {
    const child = fork(fileURLToPath(import.meta.url), ["--echo", mode, "--size", String(size), "--junk", String(junk)], { execArgv: process.execArgv })
    const [port] = (await once(child, "message")) as [number]
    const socket: Socket = connect(port, "127.0.0.1")
    await once(socket, "connect")
    socket.setNoDelay(true)
    const message = Buffer.alloc(size, 1)
    const microseconds = await new Promise<number>((resolve) => {
      let done = 0
      let start = 0
      socket.on(
        "data",
        gatherer(mode === "fresh", () => {
          done++
          if (done === WARMUP) start = performance.now()
          if (done === WARMUP + roundTrips) resolve(((performance.now() - start) * 1000) / roundTrips)
          else socket.write(message)
        }),
      )
      socket.write(message)
    })
    socket.destroy()
    child.disconnect()
    return microseconds
  }
  console.log(`store-and-forward ping-pong, tcp, ${size} B, ${roundTrips} round trips after ${WARMUP}, ${junk} objects held (${held.length})`)
  for (const mode of ["fresh", "reused", "fresh", "reused"] as const) console.log(`  ${mode.padEnd(6)} ${(await run(mode)).toFixed(1)} µs per round trip`)
}
