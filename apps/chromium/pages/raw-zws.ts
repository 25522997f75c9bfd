/**
 * The harness's own page: the platform WebSocket speaking bare ZWS2.0 by hand (no zmq-ts), so the harness
 * (bundle, serve, Chromium, pyzmq, the certificate) is proven independently of the library under test.
 */
export interface RawZwsResult {
  /** The subprotocol the server chose, or "error <close code>" when the connection failed. */
  readonly outcome: string
  /** Every binary message received, as byte arrays, in order. */
  readonly messages: number[][]
}

export interface RawZwsPage {
  /** Connects offering "ZWS2.0", sends `messages` once open, and resolves after `expect` messages (or on close). */
  exchange(url: string, messages: number[][], expect: number): Promise<RawZwsResult>
}

declare global {
  var rawZws: RawZwsPage
}

globalThis.rawZws = {
  exchange: (url, messages, expect) =>
    new Promise((resolve) => {
      const received: number[][] = []
      const socket = new WebSocket(url, "ZWS2.0")
      socket.binaryType = "arraybuffer"
      const done = (outcome: string): void => {
        socket.onclose = null
        socket.close()
        resolve({ outcome, messages: received })
      }
      socket.onopen = () => {
        for (const message of messages) socket.send(new Uint8Array(message))
        if (expect === 0) done(socket.protocol)
      }
      socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
        received.push([...new Uint8Array(event.data)])
        if (received.length >= expect) done(socket.protocol)
      }
      socket.onclose = (event) => done(`error ${event.code}`)
    }),
}
