/**
 * Pub-sub envelopes (the Guide, chapter 2, "Pub-Sub Message Envelopes"): the key travels in a frame of its
 * own, in front of the data, so that a subscription can never match the data.
 *
 *   [topic, body]             encodeEnvelope / decodeEnvelope
 *   [topic, address, body]    encodeAddressedEnvelope / decodeAddressedEnvelope (the Guide's "address" of
 *                             the sender, between the key and the data)
 *
 * How matching works, and what `exactTopic` changes: a SUB keeps a message when its FIRST frame starts with
 * one of its subscriptions (a prefix match on the bytes of frame 0, never past its end — the frame boundary
 * stops it). So with envelopes a subscription to "price" matches the topics "price" and "prices", and never
 * a body that starts with "price". When topics must match whole — "price" must not see "prices" — encode
 * and subscribe with `exactTopic: true`: the topic frame then ends with a terminator byte (0x00) and so does
 * the subscription, so "price\0" is not a prefix of "prices\0". Such topics may not contain 0x00 themselves
 * (ERR_PATTERN_INVALID_TOPIC). A subscriber with `exactTopic` sees nothing from a publisher without it; a
 * publisher WITH it serves both kinds of subscriber — subscribe with `exactTopic` for that topic only,
 * without it for every topic that starts with it — as long as they decode with `exactTopic`.
 */
import type { Message, Socket, Subscriber } from "@zmq-ts/core"
import { localError, PatternErrorCode, remoteError } from "./errors.js"

/** A frame as the helpers accept it: strings are UTF-8. */
export type Frame = string | Uint8Array

/** The byte that ends a topic frame under `exactTopic`. */
export const TOPIC_TERMINATOR = 0x00

export interface EnvelopeOptions {
  /**
   * Match whole topics only: the topic frame (and the subscription) ends with TOPIC_TERMINATOR (0x00), so a
   * topic that is a prefix of another no longer matches it. Default false (ZeroMQ's prefix matching).
   */
  readonly exactTopic?: boolean
}

/** A decoded `[topic, body]` message. With `exactTopic` the topic is given without its terminator. */
export interface Envelope {
  readonly topic: Buffer
  readonly body: Buffer
}

/** A decoded `[topic, address, body]` message. */
export interface AddressedEnvelope extends Envelope {
  readonly address: Buffer
}

/** What `encodeEnvelope` takes. */
export interface EnvelopeInput {
  readonly topic: Frame
  readonly body: Frame
}

/** What `encodeAddressedEnvelope` takes. */
export interface AddressedEnvelopeInput extends EnvelopeInput {
  readonly address: Frame
}

function toBuffer(frame: Frame): Buffer {
  if (typeof frame === "string") return Buffer.from(frame, "utf8")
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
}

/**
 * The first frame to send for `topic`, and the subscription that matches it: the topic's bytes, followed by
 * TOPIC_TERMINATOR with `exactTopic`. Throws ERR_PATTERN_INVALID_TOPIC for an exact topic containing 0x00.
 */
export function topicFrame(topic: Frame, options: EnvelopeOptions = {}): Buffer {
  const bytes = toBuffer(topic)
  if (options.exactTopic !== true) return bytes
  if (bytes.includes(TOPIC_TERMINATOR)) {
    throw localError(PatternErrorCode.INVALID_TOPIC, `exact topic ${JSON.stringify(bytes.toString("latin1"))} contains the terminator byte 0x00`)
  }
  const frame = Buffer.allocUnsafe(bytes.length + 1)
  bytes.copy(frame, 0)
  frame[bytes.length] = TOPIC_TERMINATOR
  return frame
}

/** `[topic, body]`, ready for `send()`. */
export function encodeEnvelope(envelope: EnvelopeInput, options: EnvelopeOptions = {}): Message[] {
  return [topicFrame(envelope.topic, options), toBuffer(envelope.body)]
}

/** `[topic, address, body]`, ready for `send()`. */
export function encodeAddressedEnvelope(envelope: AddressedEnvelopeInput, options: EnvelopeOptions = {}): Message[] {
  return [topicFrame(envelope.topic, options), toBuffer(envelope.address), toBuffer(envelope.body)]
}

function decodeTopic(frame: Buffer, options: EnvelopeOptions): Buffer {
  if (options.exactTopic !== true) return frame
  if (frame.length === 0 || frame[frame.length - 1] !== TOPIC_TERMINATOR) {
    throw remoteError(PatternErrorCode.MALFORMED_ENVELOPE, "topic frame does not end with the exact-topic terminator 0x00")
  }
  return frame.subarray(0, frame.length - 1)
}

/** Reads a `[topic, body]` message. Throws ERR_PATTERN_MALFORMED_ENVELOPE (remote) for any other shape. */
export function decodeEnvelope(message: readonly Buffer[], options: EnvelopeOptions = {}): Envelope {
  if (message.length !== 2) {
    throw remoteError(PatternErrorCode.MALFORMED_ENVELOPE, `envelope of ${message.length} frames, expected 2 (topic, body)`)
  }
  return { topic: decodeTopic(message[0]!, options), body: message[1]! }
}

/** Reads a `[topic, address, body]` message. Throws ERR_PATTERN_MALFORMED_ENVELOPE (remote) for any other shape. */
export function decodeAddressedEnvelope(message: readonly Buffer[], options: EnvelopeOptions = {}): AddressedEnvelope {
  if (message.length !== 3) {
    throw remoteError(
      PatternErrorCode.MALFORMED_ENVELOPE,
      `addressed envelope of ${message.length} frames, expected 3 (topic, address, body)`,
    )
  }
  return { topic: decodeTopic(message[0]!, options), address: message[1]!, body: message[2]! }
}

/**
 * Subscribes to a topic as envelopes encode it: with `exactTopic`, to that topic only; without, to every
 * topic that starts with it (`""` is everything).
 */
export function subscribeTopic(subscriber: Subscriber, topic: Frame, options: EnvelopeOptions = {}): void {
  subscriber.subscribe(topicFrame(topic, options))
}

/** Cancels a `subscribeTopic` (subscriptions are counted: as many cancels as subscribes). */
export function unsubscribeTopic(subscriber: Subscriber, topic: Frame, options: EnvelopeOptions = {}): void {
  subscriber.unsubscribe(topicFrame(topic, options))
}

/** Sends `[topic, body]` on a PUB/XPUB (or any socket). */
export function sendEnvelope(socket: Socket, envelope: EnvelopeInput, options: EnvelopeOptions = {}): Promise<void> {
  let message: Message[]
  try {
    message = encodeEnvelope(envelope, options)
  } catch (error) {
    return Promise.reject(error)
  }
  return socket.send(message)
}

/** Sends `[topic, address, body]`. */
export function sendAddressedEnvelope(
  socket: Socket,
  envelope: AddressedEnvelopeInput,
  options: EnvelopeOptions = {},
): Promise<void> {
  let message: Message[]
  try {
    message = encodeAddressedEnvelope(envelope, options)
  } catch (error) {
    return Promise.reject(error)
  }
  return socket.send(message)
}

/** Receives the next message and reads it as `[topic, body]` (ERR_PATTERN_MALFORMED_ENVELOPE otherwise). */
export async function receiveEnvelope(socket: Socket, options: EnvelopeOptions = {}): Promise<Envelope> {
  return decodeEnvelope(await socket.receive(), options)
}

/** Receives the next message and reads it as `[topic, address, body]`. */
export async function receiveAddressedEnvelope(
  socket: Socket,
  options: EnvelopeOptions = {},
): Promise<AddressedEnvelope> {
  return decodeAddressedEnvelope(await socket.receive(), options)
}
