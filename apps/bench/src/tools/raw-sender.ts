/**
 * The sending side alone: a raw client (lib/raw-peer.ts) connects to the zmq-ts PULL whose endpoint it reads
 * from stdin, handshakes as a PUSH (or `socket-type`: DEALER for a ROUTER; ZMTP NULL over tcp, bare ZWS 2.0
 * over ws), then writes pre-framed
 * messages of `size` bytes in ~64 KiB batches for `seconds`, then the empty end message. Next to nothing
 * per message: the PULL's receive rate is what the receiving side of zmq-ts can do on its own.
 *
 * usage: raw-sender <tcp|ipc|ws> <size> <seconds> [socket-type]   (ipc: ZMTP as over tcp, on a Unix socket)
 */
import { once } from "node:events"
import { connect } from "node:net"
import { args, finish, optionalArg, now, readEndpoints, SendDeadline } from "../lib/child.js"
import { batchOf, frame } from "../lib/net-frames.js"
import { MASKED_END_FRAME } from "../lib/net-ws.js"
import { clientHandshake, clientMessage, type RawTransport } from "../lib/raw-peer.js"

const [transportText, sizeText, secondsText] = args("raw-sender <tcp|ipc|ws> <size> <seconds> [socket-type]", 3, 1)
const socketType = optionalArg(3) ?? "PUSH"
const transport: RawTransport = transportText === "ws" ? "ws" : "tcp"
const size = Number(sizeText)
const seconds = Number(secondsText)
const [endpoint] = await readEndpoints()
const match = /^(?:tcp|ws):\/\/(.+):(\d+)(\/.*)?$/.exec(endpoint!)
if (match === null && !endpoint!.startsWith("ipc://")) throw new Error(`raw-sender: not a tcp, ipc or ws endpoint: ${endpoint}`)
const host = match?.[1] ?? "localhost"
const socket = match === null ? connect({ path: endpoint!.slice("ipc://".length) }) : connect({ host, port: Number(match[2]) })
if (match !== null) socket.setNoDelay(true)
await once(socket, "connect")
await clientHandshake(socket, transport, socketType, host, match?.[3] ?? "/")
socket.on("data", () => {}) // the PULL's greeting or routing id
const { bytes, messages } = batchOf(clientMessage(transport, size))
const deadline = new SendDeadline(seconds)
const start = now()
let sent = 0
while (now() < deadline.at) {
  if (!socket.write(bytes)) await once(socket, "drain")
  sent += messages
}
socket.write(transport === "ws" ? MASKED_END_FRAME : frame(0))
await finish({ sent, seconds: now() - start }, () => socket.end())
