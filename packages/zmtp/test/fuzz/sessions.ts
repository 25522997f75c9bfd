/**
 * The recorded sessions the fuzz targets start from: seeds/libzmq-sessions.json (two libzmq sockets,
 * record-sessions.ts) and the wire vectors of test/vectors/libzmq.json (libzmq against our codec, one
 * direction), each direction as bytes, with what a receiving `ZmtpConnection` needs to accept it.
 */
import { readFileSync } from "node:fs"
import type { SocketType } from "../../src/index.js"
import { fromHex } from "./fuzz-kit.js"
import type { RecordedSession } from "./record-sessions.js"

/** One direction of one recorded connection: the bytes, and the receiver that accepts them. */
export interface Stream {
  readonly name: string
  readonly transport: "tcp" | "ws"
  readonly mechanism: "NULL" | "PLAIN"
  /** The receiver's role: a server reads the client's bytes. */
  readonly receiver: "client" | "server"
  readonly receiverType: SocketType
  readonly username?: string
  readonly password?: string
  readonly bytes: Uint8Array
}

const sessionFile = JSON.parse(readFileSync(new URL("./seeds/libzmq-sessions.json", import.meta.url), "utf8")) as {
  readonly sessions: readonly RecordedSession[]
}

interface WireVector {
  readonly name: string
  readonly us: { readonly socketType: SocketType; readonly mechanism: "NULL" | "PLAIN-server" | "PLAIN-client"; readonly username?: string; readonly password?: string }
  readonly hex: string
}
const vectorFile = JSON.parse(readFileSync(new URL("../vectors/libzmq.json", import.meta.url), "utf8")) as { readonly vectors: readonly WireVector[] }

const credentials = (u: string | undefined, p: string | undefined): { username?: string; password?: string } => ({
  ...(u === undefined ? {} : { username: u }),
  ...(p === undefined ? {} : { password: p }),
})

export const STREAMS: readonly Stream[] = [
  ...sessionFile.sessions.flatMap((s): Stream[] => [
    {
      name: `${s.name} client→server`,
      transport: s.transport,
      mechanism: s.mechanism,
      receiver: "server",
      receiverType: s.serverType as SocketType,
      bytes: fromHex(s.clientToServer),
    },
    {
      name: `${s.name} server→client`,
      transport: s.transport,
      mechanism: s.mechanism,
      receiver: "client",
      receiverType: s.clientType as SocketType,
      ...credentials(s.username, s.password),
      bytes: fromHex(s.serverToClient),
    },
  ]),
  ...vectorFile.vectors.map(
    (v): Stream => ({
      name: `vector ${v.name}`,
      transport: "tcp",
      mechanism: v.us.mechanism === "NULL" ? "NULL" : "PLAIN",
      receiver: v.us.mechanism === "PLAIN-server" ? "server" : "client",
      receiverType: v.us.socketType,
      ...credentials(v.us.username, v.us.password),
      bytes: fromHex(v.hex),
    }),
  ),
]

/** The streams of `transport` and `mechanism`. */
export function streams(transport: "tcp" | "ws", mechanism?: "NULL" | "PLAIN"): Stream[] {
  return STREAMS.filter((s) => s.transport === transport && (mechanism === undefined || s.mechanism === mechanism))
}

/** A ws stream split into its HTTP head (up to and including the blank line) and the WebSocket frames. */
export function splitHead(bytes: Uint8Array): { head: Uint8Array; frames: Uint8Array } {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) {
      return { head: bytes.subarray(0, i + 4), frames: bytes.subarray(i + 4) }
    }
  }
  throw new Error("no HTTP head in a ws stream")
}
