/**
 * The Guide's Lazy Pirate client (chapter 4, lpclient): a REQ that, when no reply comes within
 * TIMEOUT_MS, closes its socket, opens a new one and resends, up to RETRIES times per request.
 * zmq-ts, in its own process in namespace a. Env: ADDRESS, REQUESTS, TIMEOUT_MS, RETRIES.
 * stdout: {ev:"ready"}, then {ev:"done", requests, answered, answeredTwice, retries, wrongReply, abandoned}.
 */
import { Request, ZmqError } from "../../src/index.js"

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`)
const address = process.env["ADDRESS"]!
const requests = Number(process.env["REQUESTS"] ?? "100")
const timeoutMs = Number(process.env["TIMEOUT_MS"] ?? "1000")
const retriesAllowed = Number(process.env["RETRIES"] ?? "10")

const open = (): Request => {
  const socket = new Request({ linger: 0, receiveTimeout: timeoutMs, reconnectInterval: 100 })
  socket.connect(address)
  return socket
}

// The orchestrator holds our stdin: when it goes (even SIGKILLed), so do we.
process.stdin.on("end", () => process.exit(0))
process.stdin.resume()
say({ ev: "ready", t: Date.now() })
const started = Date.now()
let client = open()
const answeredSeqs = new Set<number>()
let answeredTwice = 0
let retries = 0
let wrongReply = 0
let abandoned = 0
const slowest = { ms: 0 }
for (let seq = 0; seq < requests; seq++) {
  const sentAt = Date.now()
  let left = retriesAllowed
  await client.send(`req:${seq}`)
  for (;;) {
    try {
      const [reply] = await client.receive()
      if (reply!.toString() !== `reply:req:${seq}`) {
        wrongReply++
        continue
      }
      if (answeredSeqs.has(seq)) answeredTwice++
      answeredSeqs.add(seq)
      slowest.ms = Math.max(slowest.ms, Date.now() - sentAt)
      break
    } catch (error) {
      if (!(error instanceof ZmqError && error.code === "EAGAIN")) throw error
      // No reply in time: the Guide's recovery — close, reopen, resend (or give up on this request).
      client.close()
      if (left-- === 0) {
        abandoned++
        client = open()
        break
      }
      retries++
      client = open()
      await client.send(`req:${seq}`)
    }
  }
}
client.close()
process.stdin.pause()
say({ ev: "done", t: Date.now(), requests, answered: answeredSeqs.size, answeredTwice, retries, wrongReply, abandoned, elapsedMs: Date.now() - started, slowestMs: slowest.ms })
