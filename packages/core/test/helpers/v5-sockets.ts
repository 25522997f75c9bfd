/** What the v5-compat tests share: sockets closed after each test, and waits on callbacks and events. */
import { Buffer } from "node:buffer"
import { afterEach } from "vitest"
import * as zmq from "../../src/v5-compat.js"

/** A `zmq.socket()` that the calling test file closes after each of its tests. */
export function socketsClosedAfterEach(): (type: zmq.SocketType, options?: zmq.CreateSocketOptions) => zmq.Socket {
  const sockets: zmq.Socket[] = []
  afterEach(() => {
    for (const sock of sockets.splice(0)) sock.close()
  })
  return (type, options) => {
    const sock = zmq.socket(type, options)
    sockets.push(sock)
    return sock
  }
}

/** Binds through the callback; resolves with `last_endpoint`. */
export function bound(sock: zmq.Socket, address: string): Promise<string> {
  return new Promise((resolve, reject) => {
    sock.bind(address, (error) => (error ? reject(error) : resolve(sock.last_endpoint!)))
  })
}

/** The next `count` messages of `sock` ("message" events), each as its frames' text; every frame must be a Buffer. */
export function collect(sock: zmq.Socket, count: number, timeoutMs = 5000): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const seen: string[][] = []
    const onMessage = (...frames: Buffer[]): void => {
      if (!frames.every((frame) => Buffer.isBuffer(frame))) reject(new Error("a frame is not a Buffer"))
      seen.push(frames.map((frame) => frame.toString("utf8")))
      if (seen.length < count) return
      clearTimeout(timer)
      sock.off("message", onMessage)
      resolve(seen)
    }
    const timer = setTimeout(() => {
      sock.off("message", onMessage)
      reject(new Error(`${sock.type}: ${seen.length} of ${count} messages within ${timeoutMs} ms: ${JSON.stringify(seen)}`))
    }, timeoutMs)
    sock.on("message", onMessage)
  })
}
