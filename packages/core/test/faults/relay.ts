/**
 * A userspace TCP relay for the faults nftables cannot make (this kernel has no netem): latency with
 * jitter, and delivery in tiny pieces. Runs in its own process inside namespace b, between the client's
 * connection (which crosses the veth) and the server:
 *
 *   client (ns a) ──veth──▶ relay LISTEN:port ──lo──▶ server TARGET_HOST:TARGET_PORT (ns b)
 *
 * Env: LISTEN ("host:port"), TARGET ("host:port"), LATENCY_MS + JITTER_MS (each chunk, both directions, is
 * held LATENCY_MS ± JITTER_MS, uniformly; never overtaking the chunk before it, so a TCP stream stays a
 * stream), PIECE (write every chunk in pieces of PIECE bytes, one per event-loop turn, with Nagle off).
 * stdout: "READY" once listening; stdin "stats" → {ev:"stats", bytes, writes} (both directions).
 */
import { createConnection, createServer, type Socket } from "node:net"

const [listenHost, listenPort] = process.env["LISTEN"]!.split(":") as [string, string]
const [targetHost, targetPort] = process.env["TARGET"]!.split(":") as [string, string]
const latency = Number(process.env["LATENCY_MS"] ?? "0")
const jitter = Number(process.env["JITTER_MS"] ?? "0")
const piece = Number(process.env["PIECE"] ?? "0")

const counters = { bytes: 0, writes: 0 }

/** Forwards `from` → `to` with the configured delay and piece size, preserving byte order. */
function pipe(from: Socket, to: Socket): void {
  let releaseAt = 0
  let queue: Promise<void> = Promise.resolve()
  from.on("data", (chunk: Buffer) => {
    const due = Math.max(releaseAt, Date.now() + latency + (Math.random() * 2 - 1) * jitter)
    releaseAt = due
    queue = queue.then(async () => {
      const wait = due - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      if (piece <= 0) {
        counters.bytes += chunk.length
        counters.writes++
        if (!to.write(chunk)) from.pause()
        return
      }
      for (let offset = 0; offset < chunk.length; offset += piece) {
        if (to.destroyed) return
        const part = chunk.subarray(offset, offset + piece)
        counters.bytes += part.length
        counters.writes++
        to.write(part)
        await new Promise((resolve) => setImmediate(resolve))
      }
    })
  })
  to.on("drain", () => from.resume())
  from.on("end", () => void queue.then(() => to.end()))
  from.on("error", () => to.destroy())
  from.on("close", () => void queue.then(() => to.destroy()))
}

const server = createServer({ noDelay: true }, (client) => {
  const upstream = createConnection({ host: targetHost, port: Number(targetPort), noDelay: true })
  client.setNoDelay(true)
  pipe(client, upstream)
  pipe(upstream, client)
})
process.stdin.on("data", (input: Buffer) => {
  if (input.toString().includes("stats")) process.stdout.write(`${JSON.stringify({ ev: "stats", t: Date.now(), ...counters })}\n`)
})
// The orchestrator holds our stdin: when it goes (even SIGKILLed), so do we.
process.stdin.on("end", () => process.exit(0))
server.listen(Number(listenPort), listenHost, () => process.stdout.write("READY\n"))
