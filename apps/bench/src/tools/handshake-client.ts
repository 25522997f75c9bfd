/**
 * handshake-client: the connecting side of the CURVE handshake case. `concurrency` workers, in this one
 * process and thread, each loop: a new Request socket, a CURVE client with the runner's keys (lib/curve.ts),
 * connects to the endpoint read from stdin, sends one message and waits for the reply (so the handshake has
 * completed at both ends), then closes with linger 0. Requests carry "w" for `warmup` seconds, then "m" for
 * `seconds`; once every worker has stopped, one last connection sends "e". Reported: the "m" connections
 * completed in the window and this process's CPU time (process.cpuUsage) over it.
 *
 * usage: handshake-client <zmq-ts|zeromq.js> <concurrency> <warmup-seconds> <seconds>
 */
import { args, finish, now, readEndpoints } from "../lib/child.js"
import { assertCurve, curveClientOptions } from "../lib/curve.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, concurrencyText, warmupText, secondsText] = args("handshake-client <impl> <concurrency> <warmup-seconds> <seconds>", 4)
const concurrency = Number(concurrencyText)
const warmup = Number(warmupText)
const seconds = Number(secondsText)
const [endpoint] = await readEndpoints()
const zmq = await loadZmq(impl)
const options = { ...curveClientOptions(), linger: 0, receiveTimeout: 5000 }
const bodies = { w: Buffer.from("w"), m: Buffer.from("m"), e: Buffer.from("e") }

/** One connection: open, connect, one round trip, close. */
async function roundTrip(message: Buffer): Promise<void> {
  const client = new zmq.Request(options)
  try {
    if (total === 0) assertCurve(zmq, client)
    client.connect(endpoint!)
    await client.send(message)
    const [reply] = await client.receive()
    // Byte by byte: a reply is a Buffer in zeromq.js, and may be another Uint8Array.
    if (reply === undefined || reply.length !== 1 || reply[0] !== message[0]) throw new Error(`unexpected reply ${String(reply)}`)
  } finally {
    client.close()
  }
}

const started = now()
let phase: "w" | "m" | "d" = "w"
let windowStart = 0
let windowEnd = 0
let cpuStart: NodeJS.CpuUsage | undefined
let cpuWindow: NodeJS.CpuUsage | undefined
let measured = 0
let total = 0

/** Moves to the next phase when its time has come (checked after each connection). */
function tick(): void {
  const time = now()
  if (phase === "w" && time - started >= warmup) {
    phase = "m"
    windowStart = time
    cpuStart = process.cpuUsage()
  } else if (phase === "m" && time - windowStart >= seconds) {
    phase = "d"
    windowEnd = time
    cpuWindow = process.cpuUsage(cpuStart)
  }
}

async function worker(): Promise<void> {
  while (phase !== "d") {
    const kind = phase
    await roundTrip(bodies[kind])
    total++
    tick()
    if (kind === "m" && phase === "m") measured++
  }
}

await Promise.all(Array.from({ length: concurrency }, worker))
await roundTrip(bodies.e)
await finish({
  handshakes: measured,
  seconds: windowEnd - windowStart,
  windowCpuMs: cpuWindow === undefined ? 0 : (cpuWindow.user + cpuWindow.system) / 1000,
  total,
  concurrency,
})
