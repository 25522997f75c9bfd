/**
 * What the udp tests share: ports the OS just gave (bind a node:dgram socket to port 0, read it, close it),
 * raw datagrams sent and received with node:dgram, tracked for closing after each test.
 */
import { Buffer } from "node:buffer"
import { createSocket, type Socket as DgramSocket } from "node:dgram"
import { afterThisTest } from "../helpers/cleanup.js"

export { afterThisTest, track } from "../helpers/cleanup.js"

/** A udp port free a moment ago on `host`. */
export async function freeUdpPort(host = "127.0.0.1"): Promise<number> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4")
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject)
    socket.bind(0, host, () => resolve())
  })
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** A node:dgram socket bound on `host`, closed after the test; `received` waits for its next datagram. */
export async function rawSocket(host = "127.0.0.1"): Promise<{ socket: DgramSocket; port: number; received(): Promise<{ data: Buffer; port: number }> }> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4")
  const waiting: Array<(value: { data: Buffer; port: number }) => void> = []
  const queued: Array<{ data: Buffer; port: number }> = []
  socket.on("message", (data, from) => {
    const item = { data, port: from.port }
    const next = waiting.shift()
    if (next === undefined) queued.push(item)
    else next(item)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject)
    socket.bind(0, host, () => resolve())
  })
  afterThisTest(() => socket.close())
  return {
    socket,
    port: socket.address().port,
    received: () => {
      const item = queued.shift()
      return item !== undefined ? Promise.resolve(item) : new Promise((resolve) => waiting.push(resolve))
    },
  }
}

/** Sends `data` from `from` to `host:port`, resolved once handed to the OS. */
export function sendDatagram(from: DgramSocket, data: Buffer | string, port: number, host = "127.0.0.1"): Promise<void> {
  return new Promise((resolve, reject) => from.send(typeof data === "string" ? Buffer.from(data) : data, port, host, (error) => (error ? reject(error) : resolve())))
}

/** A RADIO-style datagram: [group length][group][body]. */
export function groupDatagram(group: string, body: Buffer | string): Buffer {
  const groupBytes = Buffer.from(group)
  return Buffer.concat([Buffer.from([groupBytes.length]), groupBytes, typeof body === "string" ? Buffer.from(body) : body])
}

/**
 * Sends with `send` until `receive` resolves, every `everyMs`: libzmq binds a udp socket in its I/O thread
 * after zmq_bind returns, so the first datagrams to a libzmq peer can arrive before it listens (and udp
 * drops them). Resolves with what was received; the sends stop then.
 */
export async function sendUntilReceived<T>(send: () => Promise<void>, receive: Promise<T>, everyMs = 25): Promise<T> {
  let done = false
  const received = receive.finally(() => (done = true))
  const resend = (async () => {
    while (!done) {
      await send()
      await Promise.race([received.catch(() => {}), new Promise((resolve) => setTimeout(resolve, everyMs))])
    }
  })()
  const value = await received
  await resend
  return value
}
