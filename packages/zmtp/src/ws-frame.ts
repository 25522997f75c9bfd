/**
 * RFC 6455 §5.2 base framing, as ZWS 2.0 (RFC 45) uses it: binary messages in one frame each, ping, pong and
 * close. What a frame header looks like, and how one is written. Sans-IO: Uint8Array in, Uint8Array out.
 *
 *    0                   1                   2                   3
 *   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *   |     Masking-key (if MASK set), 4 octets                        |
 */
import { maskWsPayload } from "./ws-mask.js"

export { maskWsPayload } from "./ws-mask.js"

/** RFC 6455 §5.2 opcodes. Text (0x1) and continuation (0x0) exist but ZWS refuses them. */
export const WsOpcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const
export type WsOpcode = (typeof WsOpcode)[keyof typeof WsOpcode]

/** RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented. */
export const WS_MAX_CONTROL_PAYLOAD = 125
/** The longest header: 2 octets, 8 of extended length, 4 of masking key. */
export const WS_MAX_HEADER_SIZE = 14

/** Which end of the connection we are: it decides who masks (RFC 6455 §5.1, §5.3). */
export type WsRole = "client" | "server"

/** Size of the header for a payload of `length` bytes, masked or not. */
export function wsHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length <= 0xffff ? 4 : 10) + (masked ? 4 : 0)
}

/**
 * Writes a FIN frame header for `opcode` and `length` payload bytes into `target` at `offset`; returns the
 * offset after it. `maskKey` (4 bytes) when we are the client: RFC 6455 §5.3 wants it unpredictable, so the
 * caller supplies it (this layer has no random source).
 */
export function writeWsHeader(
  target: Uint8Array,
  offset: number,
  opcode: WsOpcode,
  length: number,
  maskKey: Uint8Array | undefined,
): number {
  const maskBit = maskKey === undefined ? 0 : 0x80
  target[offset++] = 0x80 | opcode
  if (length < 126) {
    target[offset++] = maskBit | length
  } else if (length <= 0xffff) {
    target[offset++] = maskBit | 126
    target[offset++] = length >>> 8
    target[offset++] = length & 0xff
  } else {
    target[offset++] = maskBit | 127
    // §5.2: 64-bit length, most significant bit 0. Lengths here are below 2^53.
    const high = Math.floor(length / 0x100000000)
    const low = length >>> 0
    target[offset++] = 0
    target[offset++] = (high >>> 16) & 0xff
    target[offset++] = (high >>> 8) & 0xff
    target[offset++] = high & 0xff
    target[offset++] = low >>> 24
    target[offset++] = (low >>> 16) & 0xff
    target[offset++] = (low >>> 8) & 0xff
    target[offset++] = low & 0xff
  }
  if (maskKey !== undefined) {
    target[offset++] = maskKey[0]!
    target[offset++] = maskKey[1]!
    target[offset++] = maskKey[2]!
    target[offset++] = maskKey[3]!
  }
  return offset
}

/**
 * One whole frame: header, then `parts` one after another as the payload, masked when `maskKey` is given.
 * ZWS writes a message as [flags byte] + body (RFC 45 §"Framing"), hence the parts.
 */
export function encodeWsFrame(opcode: WsOpcode, parts: readonly Uint8Array[], maskKey?: Uint8Array): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(wsHeaderSize(length, maskKey !== undefined) + length)
  let offset = writeWsHeader(out, 0, opcode, length, maskKey)
  let phase = 0
  for (const part of parts) {
    if (maskKey === undefined) out.set(part, offset)
    else maskWsPayload(part, out, offset, maskKey, phase)
    offset += part.length
    phase += part.length
  }
  return out
}

/** A close frame's payload (RFC 6455 §5.5.1): a 2-byte status code, then an optional UTF-8 reason. */
export function wsClosePayload(code: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(2 + reason.length)
  out[0] = code >>> 8
  out[1] = code & 0xff
  out.set(reason, 2)
  return out
}
