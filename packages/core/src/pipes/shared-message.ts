import type { Buffer } from "#platform/buffer"
import type { Frames } from "./message.js"

/**
 * A message a socket queued on several pipes at once (a PUB's fan-out): the first engine to put it on the
 * wire frames it once (zmtp's SharedFrameEncoder) and keeps the bytes here, and every other engine whose
 * connection sends frames as they are writes those same bytes instead of framing a copy of its own
 * (decision 0022). Readers that are sockets (inproc) get `frames`.
 */
export class SharedMessage {
  /** The frames as they go on the wire; undefined until an engine has framed them (or when too large to share). */
  wire: Uint8Array | undefined = undefined
  /** An engine has tried to frame the message (so a large one is not tried again by every engine). */
  framed = false

  constructor(readonly frames: Frames) {}
}

/** What an engine takes from its pipe to put on the wire (PipeEnd.readForWire). */
export type WireMessage = Frames | Buffer | SharedMessage
