import { createServer, type Socket as NetSocket } from "node:net"
import { once } from "node:events"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { ZmtpConnection } from "@zmq-ts/zmtp"
import { Dealer, type SocketEvent } from "../src/index.js"

// Heartbeats (RFC 37): a peer that answers PINGs stays connected; one that goes silent is dropped.
//
//   our DEALER ──PING/PONG──▶ libzmq ROUTER          our DEALER ──PING──▶ silent raw peer (✕ after timeout)

function nextEvent(events: SocketEvent[], type: SocketEvent["type"], timeout: number): Promise<SocketEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const found = events.find((event) => event.type === type)
      if (found !== undefined) {
        clearInterval(poll)
        resolve(found)
      } else if (Date.now() - started > timeout) {
        clearInterval(poll)
        reject(new Error(`no ${type} event within ${timeout} ms`))
      }
    }, 5)
  })
}

describe("heartbeats", () => {
  it("keep a connection to a libzmq peer that answers PINGs", async () => {
    const router = new zmq.Router({ linger: 0 })
    await router.bind("tcp://127.0.0.1:*")
    await using dealer = new Dealer({ heartbeatInterval: 30, heartbeatTimeout: 100, linger: 0 })
    const events: SocketEvent[] = []
    dealer.events.on("disconnect", (event) => events.push(event))
    dealer.events.on("handshake", (event) => events.push(event))
    dealer.connect(router.lastEndpoint!)
    await nextEvent(events, "handshake", 2000)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(events.filter((event) => event.type === "disconnect")).toEqual([])
    await dealer.send("still here")
    const [, body] = await router.receive()
    expect(String(body)).toBe("still here")
    router.close()
  })

  it("drop a peer that stops answering within heartbeatTimeout", async () => {
    // A raw peer that completes the handshake and then never sends another byte.
    const sockets: NetSocket[] = []
    const server = createServer((socket) => {
      sockets.push(socket)
      const peer = new ZmtpConnection({ socketType: "ROUTER" })
      socket.write(peer.dataToSend())
      let ready = false
      socket.on("data", (chunk) => {
        if (ready) return // silent from now on
        for (const event of peer.receiveData(chunk)) if (event.type === "ready") ready = true
        socket.write(peer.dataToSend())
      })
    })
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    const port = (server.address() as { port: number }).port
    await using dealer = new Dealer({ heartbeatInterval: 30, heartbeatTimeout: 80, reconnectInterval: -1, linger: 0 })
    const events: SocketEvent[] = []
    dealer.events.on("handshake", (event) => events.push(event))
    dealer.events.on("disconnect", (event) => events.push(event))
    const started = Date.now()
    dealer.connect(`tcp://127.0.0.1:${port}`)
    await nextEvent(events, "handshake", 2000)
    await nextEvent(events, "disconnect", 2000)
    expect(Date.now() - started).toBeLessThan(1000)
    for (const socket of sockets) socket.destroy()
    server.close()
  })
})
