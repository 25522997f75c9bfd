/**
 * codec-demo: the Guide's Hello World request-reply, spoken over a plain TCP socket by two @zmq-ts/zmtp
 * connections, showing the bytes ZMTP 3.1 puts on the wire. The socket layer (issue "core, part 1") will
 * hide all of this behind `new Request()` / `new Reply()`; here the REQ envelope's empty delimiter frame is
 * added by hand, as RFC 28 prescribes.
 */
import { createServer, connect, type Socket } from "node:net"
import { once } from "node:events"
import { ZmtpConnection, type ZmtpEvent } from "@zmq-ts/zmtp"

const REQUESTS = 3
const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString("utf8")
const hex = (bytes: Uint8Array, max = 40): string => {
  const shown = Buffer.from(bytes.subarray(0, max)).toString("hex").replace(/(..)/g, "$1 ").trim()
  return bytes.length > max ? `${shown} … (${bytes.length} octets)` : shown
}

/** Joins a TCP socket to a connection: bytes in → events out, and whatever the codec queued → the socket. */
function attach(socket: Socket, connection: ZmtpConnection, label: string, onEvent: (event: ZmtpEvent) => void) {
  socket.setNoDelay(true)
  const flush = (): void => {
    const bytes = connection.dataToSend()
    if (bytes.length === 0) return
    console.log(`  ${label} → wire: ${hex(bytes)}`)
    socket.write(bytes)
  }
  flush()
  socket.on("data", (chunk) => {
    for (const event of connection.receiveData(chunk)) onEvent(event)
    flush()
  })
  return flush
}

async function main(): Promise<void> {
  const server = createServer((socket) => {
    const rep = new ZmtpConnection({ socketType: "REP" })
    attach(socket, rep, "server", (event) => {
      if (event.type === "message") {
        // A REP sees [empty delimiter, body]; it replies with the same envelope.
        console.log(`Server: received ${text(event.frames[1])}`)
        rep.send([new Uint8Array(0), Buffer.from("World")])
      }
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")

  const socket = connect(address.port, "127.0.0.1")
  const client = new ZmtpConnection({ socketType: "REQ", routingId: "demo-client" })
  let sent = 0
  await new Promise<void>((resolve, reject) => {
    const request = (): void => {
      console.log(`Client: sending Hello ${sent}…`)
      client.send([new Uint8Array(0), Buffer.from("Hello")])
      sent++
    }
    attach(socket, client, "client", (event) => {
      if (event.type === "ready") {
        const { socketType, zmtpVersion } = event.peer
        console.log(`Client: handshake done with a ${socketType} peer speaking ZMTP ${zmtpVersion.major}.${zmtpVersion.minor}`)
        request()
      } else if (event.type === "message") {
        console.log(`Client: received ${text(event.frames[1])} ${sent - 1}`)
        if (sent < REQUESTS) request()
        else resolve()
      } else if (event.type === "error") {
        reject(event.error)
      }
    })
  })
  socket.end()
  server.close()
  await once(server, "close")
}

await main()
