/**
 * The receiving side of a pub-sub fan-out alone: a raw publisher (lib/raw-peer.ts) connects to each zmq-ts
 * SUB of the comma-separated list read from stdin, handshakes as a PUB (ZMTP NULL, tcp or ipc), then writes
 * pre-framed messages of `size` bytes to every subscriber in turn, in ~64 KiB batches, waiting for the slow
 * ones to drain (lossless, unlike a PUB), for `seconds`; then the empty end message to each. Next to nothing
 * per message: the SUBs' aggregate rate is what the receiving side of zmq-ts can do on its own.
 *
 * usage: raw-pub <size> <seconds>
 */
import { args, finish, readEndpoints, SendDeadline } from "../lib/child.js"
import { batch, connectTo, floodAll } from "../lib/net-frames.js"
import { clientHandshake } from "../lib/raw-peer.js"

const [sizeText, secondsText] = args("raw-pub <size> <seconds>", 2)
const seconds = Number(secondsText)
const endpoints = await readEndpoints()
const sockets = await Promise.all(endpoints.map((endpoint) => connectTo(endpoint)))
for (const socket of sockets) {
  await clientHandshake(socket, "tcp", "PUB", "", "/")
  socket.on("data", () => {}) // the SUB's greeting, READY and subscription
}
const { bytes, messages } = batch(Number(sizeText))
const result = await floodAll(sockets, bytes, messages, Infinity, new SendDeadline(seconds))
await finish(result, () => {
  for (const socket of sockets) socket.destroy()
})
