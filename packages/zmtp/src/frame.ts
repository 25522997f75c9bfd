/**
 * Frame flags, RFC 23 §"Framing": `flags = OCTET` with bit 0 MORE, bit 1 LONG, bit 2 COMMAND; bits 3–7 are
 * reserved and must be zero. A short frame's size is one octet, a long frame's eight (network order).
 */
export const FLAG_MORE = 0x01
export const FLAG_LONG = 0x02
export const FLAG_COMMAND = 0x04
export const RESERVED_FLAGS = 0xf8

/** Largest body a short frame can carry. */
export const MAX_SHORT_SIZE = 255
