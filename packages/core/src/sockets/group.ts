import { zmqError } from "../common/errors.js"
import { toFrame } from "../socket/message-like.js"

/** ZMQ_GROUP_MAX_LENGTH: a RADIO/DISH group name is at most 255 bytes. */
export const GROUP_MAX_LENGTH = 255

/** A group name as bytes (a string is UTF-8); EINVAL when it is missing, not text or bytes, or too long. */
export function toGroup(group: unknown): Buffer {
  if (typeof group !== "string" && !ArrayBuffer.isView(group)) throw zmqError("EINVAL", "a group must be a string or a Buffer")
  const bytes = toFrame(group, 0)
  if (bytes.length > GROUP_MAX_LENGTH) throw zmqError("EINVAL", `a group is at most ${GROUP_MAX_LENGTH} bytes, got ${bytes.length}`)
  return bytes
}
