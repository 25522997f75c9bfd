/**
 * http-stream — the raw HTTP server of zmq_socket(3)'s ZMQ_STREAM section (and the Guide's "ZeroMQ and
 * raw TCP"): a STREAM socket bound to tcp://*:8080 answers every HTTP request with "Hello, World!" and
 * closes the connection, so a browser, curl or Node's own `http` client can talk to it. Runs until Ctrl-C,
 * then closes its socket and exits 0.
 *
 *   pnpm example http-stream [endpoint]      (default tcp://*:8080; then: curl http://localhost:8080/)
 *
 * Each connection's bytes arrive as [routing id, chunk]: a request may come in several chunks, so they are
 * gathered per connection up to the blank line that ends the headers. [routing id, empty] messages are
 * the connect and disconnect notifications (ZMQ_STREAM_NOTIFY); sending [routing id, empty] closes.
 */
import { Stream } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted } from "@zmq-ts/zhelpers"

const endpoint = process.argv[2] ?? "tcp://*:8080"
const response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World!"

s_catch_signals() // Ctrl-C: the pending receive rejects with EINTR and the loop ends

const socket = new Stream()
await socket.bind(endpoint)
console.log(`HTTP server on ${socket.lastEndpoint}`)

/** What each connection has sent so far, until its headers are complete. */
const requests = new Map<string, string>()

try {
  while (!s_interrupted) {
    const [id, data] = await socket.receive()
    const key = id!.toString("hex")
    if (data!.length === 0) {
      // A connection was made, or it went away: start afresh either way.
      requests.delete(key)
      continue
    }
    const request = (requests.get(key) ?? "") + data!.toString("latin1")
    if (!request.includes("\r\n\r\n")) {
      requests.set(key, request)
      continue
    }
    requests.delete(key)
    console.log(`Request: ${request.slice(0, request.indexOf("\r\n"))}`)
    //  Send the response, then close the connection: an empty frame to its routing id
    await socket.send([id!, response])
    await socket.send([id!, ""])
  }
} catch (error) {
  if (!isInterrupted(error)) throw error // Ctrl-C interrupts the receive: fall through to the clean exit
}
socket.close()
