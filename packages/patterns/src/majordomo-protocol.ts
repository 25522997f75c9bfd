/**
 * MDP/0.1 (RFC 7, https://rfc.zeromq.org/spec/7/) and MMI (RFC 8) on the wire, sans-IO: the constants of the
 * protocol and pure functions that build and parse its commands. The broker, client and worker classes do
 * the I/O; everything here is a function of frames to frames, so it is tested without sockets.
 *
 * Theory of operation (RFC 7 "Architecture"): clients talk MDP/Client ("MDPC01"), workers talk MDP/Worker
 * ("MDPW01"), both to one ROUTER in the broker. Every command carries its protocol header so that a peer
 * reconnected by ZeroMQ after a failure can be validated message by message (RFC 7 "Opening and Closing a
 * Connection"). The ROUTER's identity frame is not part of the commands below: callers strip/prepend it.
 */
import type { Message } from "@zmq-ts/core"

/** MDP/Client v0.1 header, frame 1 of every client command (RFC 7 "MDP/Client"). */
export const MDPC_CLIENT = "MDPC01"
/** MDP/Worker v0.1 header, frame 1 of every worker command (RFC 7 "MDP/Worker"). */
export const MDPW_WORKER = "MDPW01"

/** MDP/Worker commands, one byte each in frame 2 (RFC 7 "MDP/Worker"). */
export const MdpCommand = { READY: 0x01, REQUEST: 0x02, REPLY: 0x03, HEARTBEAT: 0x04, DISCONNECT: 0x05 } as const
export type MdpCommand = (typeof MdpCommand)[keyof typeof MdpCommand]

/** The Guide's names of the commands, for verbose logs (MDP.py's / mdp.h's mdps_commands). */
export const MDP_COMMAND_NAMES: Readonly<Record<MdpCommand, string>> = {
  [MdpCommand.READY]: "READY",
  [MdpCommand.REQUEST]: "REQUEST",
  [MdpCommand.REPLY]: "REPLY",
  [MdpCommand.HEARTBEAT]: "HEARTBEAT",
  [MdpCommand.DISCONNECT]: "DISCONNECT",
}

/** RFC 8 "Namespace": services starting with this are the broker's own. */
export const MMI_PREFIX = "mmi."
/** RFC 8 "Default services": is there a worker for the service named in the request body? */
export const MMI_SERVICE = "mmi.service"
/** RFC 8 answers: found, not found, not implemented (a `mmi.*` service the broker does not know). */
export const MmiStatus = { FOUND: "200", NOT_FOUND: "404", NOT_IMPLEMENTED: "501" } as const
export type MmiStatus = (typeof MmiStatus)[keyof typeof MmiStatus]

/** Defaults shared by broker and worker (the Guide's mdbroker.c / mdwrkapi.c). */
export const MDP_HEARTBEAT_INTERVAL = 2500
export const MDP_HEARTBEAT_LIVENESS = 3
export const MDP_RECONNECT_INTERVAL = 2500
export const MDP_REQUEST_TIMEOUT = 2500
export const MDP_REQUEST_RETRIES = 3

const EMPTY = Buffer.alloc(0)
const CLIENT_HEADER = Buffer.from(MDPC_CLIENT)
const WORKER_HEADER = Buffer.from(MDPW_WORKER)

/** One frame to send: bytes or UTF-8 text. */
export type MdpFrame = Buffer | string

const toFrame = (frame: MdpFrame): Buffer => (typeof frame === "string" ? Buffer.from(frame) : frame)

/** What a broker reads on its ROUTER, identity frame removed (RFC 7 "MDP/Client" + "MDP/Worker"). */
export type BrokerInbound =
  | { readonly kind: "client"; readonly service: string; readonly body: Buffer[] }
  | { readonly kind: "worker"; readonly command: typeof MdpCommand.READY; readonly service: string }
  | { readonly kind: "worker"; readonly command: typeof MdpCommand.REPLY; readonly client: Buffer; readonly body: Buffer[] }
  | { readonly kind: "worker"; readonly command: typeof MdpCommand.HEARTBEAT | typeof MdpCommand.DISCONNECT }
  /** A worker message with a command it may not send (REQUEST) or the wrong shape: RFC 7 says DISCONNECT. */
  | { readonly kind: "worker-invalid"; readonly reason: string }
  /** Neither protocol: dropped. */
  | { readonly kind: "invalid"; readonly reason: string }

/** What a worker reads from its broker (RFC 7 "MDP/Worker"). */
export type WorkerInbound =
  | { readonly command: typeof MdpCommand.REQUEST; readonly client: Buffer; readonly body: Buffer[] }
  | { readonly command: typeof MdpCommand.HEARTBEAT | typeof MdpCommand.DISCONNECT }
  | { readonly command: "invalid"; readonly reason: string }

/** Client → broker REQUEST, as a DEALER sends it (with frame 0); a REQ client drops the first frame. */
export function clientRequest(service: string, body: readonly MdpFrame[]): Buffer[] {
  return [EMPTY, CLIENT_HEADER, Buffer.from(service), ...body.map(toFrame)]
}

/** Broker → client REPLY, identity first (RFC 7: frames 0–2 then the body). */
export function clientReply(client: Buffer, service: string | Buffer, body: readonly MdpFrame[]): Buffer[] {
  return [client, EMPTY, CLIENT_HEADER, toFrame(service), ...body.map(toFrame)]
}

/** A worker command with frame 0, as a DEALER sends it; `rest` follows the command byte. */
export function workerCommand(command: MdpCommand, rest: readonly MdpFrame[] = []): Buffer[] {
  return [EMPTY, WORKER_HEADER, Buffer.from([command]), ...rest.map(toFrame)]
}

/** Worker → broker REPLY for `client` (RFC 7: exactly one address frame, then an empty frame). */
export function workerReply(client: Buffer, body: readonly MdpFrame[]): Buffer[] {
  return workerCommand(MdpCommand.REPLY, [client, EMPTY, ...body])
}

/** Broker → worker REQUEST, identity first. */
export function brokerRequest(worker: Buffer, client: Buffer, body: readonly MdpFrame[]): Buffer[] {
  return [worker, ...workerCommand(MdpCommand.REQUEST, [client, EMPTY, ...body])]
}

/**
 * The reply of a client request: the body after [empty?, "MDPC01", service]. `framed` says whether frame 0
 * (the empty delimiter) is still there (DEALER) or was removed by a REQ socket. Undefined if malformed or
 * if `service` is given and does not match.
 */
export function parseClientReply(message: readonly Message[], framed: boolean, service?: string): Buffer[] | undefined {
  const start = framed ? 1 : 0
  if (framed && (message.length < 1 || message[0]!.length !== 0)) return undefined
  if (message.length < start + 2) return undefined
  if (!message[start]!.equals(CLIENT_HEADER)) return undefined
  if (service !== undefined && message[start + 1]!.toString() !== service) return undefined
  return message.slice(start + 2)
}

/** Parses a worker's view of a broker command (with frame 0, as its DEALER receives it). */
export function parseWorkerInbound(message: readonly Message[]): WorkerInbound {
  if (message.length < 3 || message[0]!.length !== 0) return { command: "invalid", reason: "no empty frame 0" }
  if (!message[1]!.equals(WORKER_HEADER)) return { command: "invalid", reason: "not MDPW01" }
  const code = message[2]!
  if (code.length !== 1) return { command: "invalid", reason: "command is not one byte" }
  switch (code[0]) {
    case MdpCommand.REQUEST: {
      // RFC 7 "Request and Reply Processing": precisely one client address frame, then an empty frame.
      if (message.length < 5 || message[4]!.length !== 0) return { command: "invalid", reason: "REQUEST without an envelope" }
      return { command: MdpCommand.REQUEST, client: message[3]!, body: message.slice(5) }
    }
    case MdpCommand.HEARTBEAT:
      return { command: MdpCommand.HEARTBEAT }
    case MdpCommand.DISCONNECT:
      return { command: MdpCommand.DISCONNECT }
    default:
      return { command: "invalid", reason: `unexpected command 0x${code.toString("hex")}` }
  }
}

/** Parses what the broker's ROUTER received, after the identity frame (`message` starts at frame 0). */
export function parseBrokerInbound(message: readonly Message[]): BrokerInbound {
  if (message.length < 2 || message[0]!.length !== 0) return { kind: "invalid", reason: "no empty frame 0" }
  const header = message[1]!
  if (header.equals(CLIENT_HEADER)) {
    if (message.length < 3) return { kind: "invalid", reason: "REQUEST without a service" }
    return { kind: "client", service: message[2]!.toString(), body: message.slice(3) }
  }
  if (!header.equals(WORKER_HEADER)) return { kind: "invalid", reason: "neither MDPC01 nor MDPW01" }
  if (message.length < 3 || message[2]!.length !== 1) return { kind: "worker-invalid", reason: "no command byte" }
  const command = message[2]![0]!
  switch (command) {
    case MdpCommand.READY:
      if (message.length < 4) return { kind: "worker-invalid", reason: "READY without a service" }
      return { kind: "worker", command, service: message[3]!.toString() }
    case MdpCommand.REPLY:
      if (message.length < 5 || message[4]!.length !== 0) return { kind: "worker-invalid", reason: "REPLY without an envelope" }
      return { kind: "worker", command, client: message[3]!, body: message.slice(5) }
    case MdpCommand.HEARTBEAT:
    case MdpCommand.DISCONNECT:
      return { kind: "worker", command }
    default:
      return { kind: "worker-invalid", reason: `unexpected command 0x${command.toString(16).padStart(2, "0")}` }
  }
}

/** A Guide-style dump of a message for verbose logs (zmsg_dump / mdp's dump): one line per frame. */
export function dumpFrames(frames: readonly Message[]): string {
  return frames
    .map((frame) => {
      const text = frame.every((byte) => byte >= 32 && byte < 127)
      const shown = text ? frame.toString("latin1") : frame.toString("hex").toUpperCase()
      return `[${String(frame.length).padStart(3, "0")}] ${shown}`
    })
    .join("\n")
}

/** @internal Verbose logging as the Guide's zclock_log ("yy-mm-dd HH:MM:SS I: …"), on stderr. */
export function mdpLog(text: string, frames?: readonly Message[]): void {
  const now = new Date()
  const two = (n: number): string => String(n).padStart(2, "0")
  const stamp = `${two(now.getFullYear() % 100)}-${two(now.getMonth() + 1)}-${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`
  console.error(frames === undefined ? `${stamp} ${text}` : `${stamp} ${text}\n${dumpFrames(frames)}`)
}
