/**
 * @zmq-ts/zmtp — a sans-IO ZMTP 3.1 codec. Bytes in, events and bytes out; no sockets, no timers, no
 * runtime dependencies. See `ZmtpConnection` for the state machine and README.md for a walk-through.
 */
export { ZmtpConnection, DEFAULT_MAX_COMMAND_SIZE } from "./connection.js"
export type { ZmtpConnectionOptions, ZmtpEvent, ZmtpReceiver, ZmtpState, PeerInfo } from "./connection.js"
export { ZmtpError, ZmtpErrorCode } from "./errors.js"
export type { ZmtpErrorOrigin, ZmtpErrorOptions } from "./errors.js"
export type {
  Mechanism,
  MechanismHost,
  FrameTransform,
  WireFrame,
  AuthenticationRequest,
  AuthenticationResult,
  Authenticator,
} from "./mechanism.js"
export { nullMechanism } from "./null-mechanism.js"
export { plainClient, plainServer } from "./plain-mechanism.js"
export type { PlainClientOptions, PlainServerOptions } from "./plain-mechanism.js"
export { Metadata } from "./metadata.js"
export { SocketType, isCompatibleSocketType, isSocketType } from "./socket-type.js"
export { GREETING_SIZE, ZMTP_MAJOR, ZMTP_MINOR } from "./greeting.js"
export { FLAG_MORE, FLAG_LONG, FLAG_COMMAND } from "./frame.js"
export { FrameDecoder } from "./frame-decoder.js"
export type { FrameSink, FrameDecoderLimits, FrameView } from "./frame-decoder.js"
export { FrameEncoder, COPY_THRESHOLD } from "./frame-encoder.js"
export { SharedFrameEncoder } from "./shared-frame-encoder.js"
export { z85Encode, z85Decode } from "./z85.js"
export { WsOpcode, WS_MAX_CONTROL_PAYLOAD, WS_MAX_HEADER_SIZE, wsHeaderSize, writeWsHeader, maskWsPayload, encodeWsFrame, wsClosePayload } from "./ws-frame.js"
export type { WsRole } from "./ws-frame.js"
export { WsFrameDecoder } from "./ws-frame-decoder.js"
export type { WsFrameSink, WsFrameDecoderOptions } from "./ws-frame-decoder.js"
export {
  WS_MAX_HEAD_SIZE,
  zwsOffers,
  chooseZwsProtocol,
  zwsMechanismOf,
  wsAcceptKey,
  wsKeyFrom,
  encodeWsRequest,
  encodeWsAccept,
  encodeWsRefusal,
  HttpHeadReader,
  parseWsRequest,
  parseWsResponse,
} from "./ws-handshake.js"
export type { Sha1, ZwsMechanismName, ZwsProtocol, WsClientRequest, HttpHead, HttpHeadResult, WsUpgradeRequest } from "./ws-handshake.js"
export type { ZwsFraming } from "./zws-framing.js"
