/**
 * Proof that a ws case really runs over ws: before the sending side gets the endpoint, the runner opens its
 * own connection to the bound port and sends the HTTP/1.1 upgrade libzmq's ws client sends (RFC 6455 §4.1,
 * offering "ZWS2.0/NULL,ZWS2.0"). The listener must answer 101 with the right Sec-WebSocket-Accept and a ZWS
 * subprotocol; anything else (a tcp ZMTP listener answers with its greeting, or nothing) fails the run.
 */
import { createHash, randomBytes } from "node:crypto"
import { connect } from "node:net"

/** RFC 6455 §1.3. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
const PROBE_TIMEOUT_MS = 5000

/** Resolves with the subprotocol the listener at `endpoint` (ws://host:port[/path]) chose. */
export function probeWsUpgrade(endpoint: string): Promise<string> {
  const match = /^ws:\/\/(\[[^\]]+\]|[^:/]+):(\d+)(\/.*)?$/.exec(endpoint)
  if (match === null) return Promise.reject(new Error(`not a ws endpoint: ${endpoint}`))
  const host = match[1]!.replace(/^\[|\]$/g, "")
  const port = Number(match[2])
  const path = match[3] ?? "/"
  const key = randomBytes(16).toString("base64")
  const accept = createHash("sha1").update(key + WS_GUID).digest("base64")
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    let head = ""
    const done = (error: Error | undefined, protocol?: string): void => {
      clearTimeout(timer)
      socket.destroy()
      if (error === undefined) resolve(protocol!)
      else reject(error)
    }
    const timer = setTimeout(() => done(new Error(`${endpoint}: no upgrade response in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)
    socket.setEncoding("latin1")
    socket.on("error", (error) => done(new Error(`${endpoint}: ${error.message}`)))
    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      )
    })
    socket.on("data", (text: string) => {
      head += text
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) {
        if (head.length > 8192) done(new Error(`${endpoint}: no HTTP head in 8 KiB`))
        return
      }
      const [status = "", ...lines] = head.slice(0, end).split("\r\n")
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]))
      const protocol = headers.get("sec-websocket-protocol") ?? ""
      if (!/^HTTP\/1\.1 101\b/.test(status)) done(new Error(`${endpoint}: upgrade answered "${status}"`))
      else if (headers.get("sec-websocket-accept") !== accept) done(new Error(`${endpoint}: wrong Sec-WebSocket-Accept`))
      else if (!protocol.startsWith("ZWS2.0")) done(new Error(`${endpoint}: subprotocol "${protocol}" is not ZWS 2.0`))
      else done(undefined, protocol)
    })
    socket.on("close", () => done(new Error(`${endpoint}: closed before the upgrade response`)))
  })
}
