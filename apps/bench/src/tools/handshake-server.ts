/**
 * handshake-server: the serving side of the CURVE handshake case. A Reply socket, a CURVE server with the
 * runner's keys (lib/curve.ts), binds and answers every request with its own body. The clients
 * (handshake-client) open one connection per request: "w" during their warm-up, "m" while they measure,
 * one "e" at the end. Reported: the "m" requests answered, and the time and this process's CPU time
 * (process.cpuUsage: every thread) from the first "m" to the "e" — what one server process spends per
 * handshake, accepting the connection and tearing it down included.
 *
 * usage: handshake-server <zmq-ts|zeromq.js> <bind-address> <deadline-ms>
 */
import { args, finish, now, ready } from "../lib/child.js"
import { assertCurve, curveServerOptions } from "../lib/curve.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, deadlineText] = args("handshake-server <impl> <bind-address> <deadline-ms>", 3)
const zmq = await loadZmq(impl)
const server = new zmq.Reply(curveServerOptions())
assertCurve(zmq, server)
await server.bind(address)
ready([server.lastEndpoint!])
const deadline = setTimeout(() => server.close(), Number(deadlineText))

const M = "m".charCodeAt(0)
const E = "e".charCodeAt(0)
let measured = 0
let answered = 0
let start = 0
let end = 0
let cpuStart: NodeJS.CpuUsage | undefined
let cpuWindow: NodeJS.CpuUsage | undefined
try {
  for (;;) {
    const [request] = await server.receive()
    const kind = request!.length === 1 ? request![0] : -1
    if (kind === M) {
      if (measured === 0) {
        start = now()
        cpuStart = process.cpuUsage()
      }
      measured++
    }
    await server.send(request!)
    answered++
    if (kind === E) {
      end = now()
      cpuWindow = process.cpuUsage(cpuStart)
      break
    }
  }
} catch {
  // closed at the deadline
}
clearTimeout(deadline)
await finish(
  {
    handshakes: measured,
    seconds: end - start,
    windowCpuMs: cpuWindow === undefined ? 0 : (cpuWindow.user + cpuWindow.system) / 1000,
    answered,
  },
  () => {
    server.linger = 0
    server.close()
  },
)
