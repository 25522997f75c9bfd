import { remoteError, localError, ZmtpErrorCode } from "./errors.js"
import { asciiDecode, asciiEncode } from "./text.js"

/**
 * Command bodies (RFC 23 §"Commands": `command-body = command-name command-data`,
 * `command-name = OCTET 1*255command-name-char`). The frame header around them is the encoder's business.
 */
export const CommandName = {
  READY: "READY",
  ERROR: "ERROR",
  HELLO: "HELLO",
  WELCOME: "WELCOME",
  INITIATE: "INITIATE",
  SUBSCRIBE: "SUBSCRIBE",
  CANCEL: "CANCEL",
  PING: "PING",
  PONG: "PONG",
  JOIN: "JOIN",
  LEAVE: "LEAVE",
} as const

export type CommandName = (typeof CommandName)[keyof typeof CommandName]

export interface ParsedCommand {
  readonly name: string
  /** The command-data, a view into the frame. */
  readonly data: Uint8Array
}

export function parseCommand(body: Uint8Array): ParsedCommand {
  if (body.length === 0) throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, "empty command frame")
  const nameSize = body[0]!
  if (nameSize === 0 || nameSize + 1 > body.length) {
    throw remoteError(
      ZmtpErrorCode.MALFORMED_COMMAND,
      `command name of ${nameSize} bytes does not fit a command of ${body.length - 1} bytes`,
    )
  }
  return { name: asciiDecode(body, 1, 1 + nameSize), data: body.subarray(1 + nameSize) }
}

/** Command name → its encoded `OCTET name` prefix, cached because names are few. */
const prefixes = new Map<string, Uint8Array>()

export function commandPrefix(name: string): Uint8Array {
  let prefix = prefixes.get(name)
  if (prefix === undefined) {
    if (!/^[A-Za-z]{1,255}$/.test(name)) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid command name ${JSON.stringify(name)}`)
    }
    prefix = new Uint8Array(1 + name.length)
    prefix[0] = name.length
    prefix.set(asciiEncode(name), 1)
    prefixes.set(name, prefix)
  }
  return prefix
}

/** `OCTET *OCTET` short strings used by ERROR's reason and PLAIN's username/password (≤ 255 bytes). */
export function encodeShortString(value: Uint8Array, what: string): Uint8Array {
  if (value.length > 255) {
    throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `${what} of ${value.length} bytes exceeds 255`)
  }
  const out = new Uint8Array(1 + value.length)
  out[0] = value.length
  out.set(value, 1)
  return out
}

/** Reads one `OCTET *OCTET` string at `offset`; returns the value view and the offset after it. */
export function readShortString(data: Uint8Array, offset: number, command: string, what: string): [Uint8Array, number] {
  const size = data[offset]
  if (size === undefined || offset + 1 + size > data.length) {
    throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, `${command} ${what} overruns the command`)
  }
  return [data.subarray(offset + 1, offset + 1 + size), offset + 1 + size]
}

/** PING (RFC 37 §"Connection Heartbeating"): `ping-ttl = 2OCTET` in deciseconds, `ping-context = 0*16OCTET`. */
export const MAX_PING_CONTEXT = 16

export function encodePing(ttlDeciseconds: number, context: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + context.length)
  out[0] = (ttlDeciseconds >>> 8) & 0xff
  out[1] = ttlDeciseconds & 0xff
  out.set(context, 2)
  return out
}

export function decodePing(data: Uint8Array): { ttlDeciseconds: number; context: Uint8Array } {
  if (data.length < 2 || data.length > 2 + MAX_PING_CONTEXT) {
    throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, `PING of ${data.length} bytes is not 2 to 18 bytes`)
  }
  return { ttlDeciseconds: (data[0]! << 8) | data[1]!, context: data.subarray(2) }
}
