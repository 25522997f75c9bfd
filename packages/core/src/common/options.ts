import { Buffer } from "#platform/buffer"
import { emitWarning } from "#platform/process"
import { z85Decode, z85Encode, type SocketType } from "@zmq-ts/zmtp"
import { zmqError } from "./errors.js"

/**
 * Socket options as zeromq.js v6 defines them (its `defineOpt` table over libzmq 4.3.5): each option's name,
 * the socket types that have it, how a value is converted and checked, and what it does in zmq-ts.
 *
 * Code written for zeromq.js must behave the same, so values go through zeromq.js's conversions (numbers
 * truncated to libzmq's C type, so `1.5` is `1` and `NaN` is `0`; strings and Buffers as bytes) and
 * libzmq's range checks (EINVAL), and a value of the wrong JavaScript type is a TypeError with zeromq.js's
 * words. An option that has nothing to act on in pure JavaScript (kernel buffer sizes, multicast, I/O
 * thread affinity) is accepted, stored and read back, and its JSDoc says it has no effect. An option whose
 * effect zmq-ts cannot give yet and whose absence would change who may connect or how (accept filters,
 * SOCKS, binding to a device) fails with ENOTSUP when set to anything but "off".
 */
export const DEFAULT_HIGH_WATER_MARK = 1000
export const DEFAULT_LINGER = -1
export const DEFAULT_RECONNECT_INTERVAL = 100
export const DEFAULT_HANDSHAKE_INTERVAL = 30_000
export const DEFAULT_BACKLOG = 100

/**
 * The socket types core has: the ZMTP ones, and two that speak no ZMTP and so are no type the codec knows:
 * STREAM (raw bytes over tcp and ipc, libzmq's raw engine) and DGRAM (raw datagrams over udp).
 */
export type SocketTypeName = SocketType | "STREAM" | "DGRAM"

/** zeromq.js's `socket.type`: libzmq's ZMQ_PAIR … ZMQ_CHANNEL numbers. */
export const SOCKET_TYPE_NUMBERS: Readonly<Record<SocketTypeName, number>> = {
  PAIR: 0,
  PUB: 1,
  SUB: 2,
  REQ: 3,
  REP: 4,
  DEALER: 5,
  ROUTER: 6,
  PULL: 7,
  PUSH: 8,
  XPUB: 9,
  XSUB: 10,
  STREAM: 11,
  SERVER: 12,
  CLIENT: 13,
  RADIO: 14,
  DISH: 15,
  GATHER: 16,
  SCATTER: 17,
  PEER: 19,
  CHANNEL: 20,
  DGRAM: 18,
}

// ── the options as socket properties (zeromq.js's typings) ────────────────────────────────────────────

/** `securityMechanism`: ZMQ_MECHANISM as zeromq.js names it. */
export type SecurityMechanism = null | "plain" | "curve" | "gssapi"

/** XPUB's `verbosity`: ZMQ_XPUB_VERBOSE (`"allSubs"`) and ZMQ_XPUB_VERBOSER (`"allSubsUnsubs"`) in one. */
export type Verbosity = null | "allSubs" | "allSubsUnsubs"

/** The options every socket type has (zeromq.js's `Socket`). */
export interface SocketOptionProperties {
  /** ZMQ_AFFINITY. Default 0. Accepted and read back; no effect: zmq-ts has no I/O threads to pin. */
  affinity: number
  /** ZMQ_RATE. Default 100 (kbit/s). Accepted and read back; no effect: zmq-ts has no multicast (PGM) transport. */
  rate: number
  /** ZMQ_RECOVERY_IVL. Default 10000 ms. Accepted and read back; no effect (multicast only). */
  recoveryInterval: number
  /**
   * ZMQ_LINGER. Default -1 (wait until queued messages are sent; see README for process exit), but 0 on SUB
   * and XSUB (as libzmq sets it) and on sockets of a context with `blocky: false`. ms.
   */
  linger: number
  /** ZMQ_RECONNECT_IVL. Default 100 ms; -1 = never reconnect. */
  reconnectInterval: number
  /** ZMQ_BACKLOG. Default 100 pending connections. */
  backlog: number
  /** ZMQ_RECONNECT_IVL_MAX. Default 0 (no exponential backoff). ms. */
  reconnectMaxInterval: number
  /** ZMQ_MAXMSGSIZE. Default -1 (no limit; any negative value means none). Bytes per frame. */
  maxMessageSize: number
  /** ZMQ_TCP_KEEPALIVE. Default -1 (the OS default); 0 off, 1 on. */
  tcpKeepalive: number
  /** ZMQ_TCP_KEEPALIVE_CNT. Default -1. Accepted and read back; no effect: Node.js cannot set TCP_KEEPCNT. */
  tcpKeepaliveCount: number
  /** ZMQ_TCP_KEEPALIVE_IDLE. Default -1 (the OS default). Seconds. */
  tcpKeepaliveIdle: number
  /** ZMQ_TCP_KEEPALIVE_INTVL. Default -1. Accepted and read back; no effect: Node.js cannot set TCP_KEEPINTVL. */
  tcpKeepaliveInterval: number
  /**
   * ZMQ_TCP_ACCEPT_FILTER. Default none. Clearing it (`null`) is accepted; a filter fails with ENOTSUP:
   * zmq-ts has no accept filters, and ignoring one would let every peer in.
   */
  tcpAcceptFilter: string | null
  /** ZMQ_IMMEDIATE. Default false: queue messages for peers that are not connected yet. */
  immediate: boolean
  /** ZMQ_IPV6. Default false, or the context's `ipv6`. */
  ipv6: boolean
  /** ZMQ_PLAIN_SERVER. Default false. Setting it true makes the socket a PLAIN server; false, NULL. */
  plainServer: boolean
  /** ZMQ_PLAIN_USERNAME. Default none. Setting it makes the socket a PLAIN client; `null` makes it NULL. */
  plainUsername: string | null
  /** ZMQ_PLAIN_PASSWORD. Default none. Setting it makes the socket a PLAIN client; `null` makes it NULL. */
  plainPassword: string | null
  /**
   * ZMQ_CURVE_SERVER. Default false. `true` makes the socket a CURVE server (RFC 26), which needs
   * `curveSecretKey`; `false` selects the NULL mechanism, as in libzmq (a PLAIN or CURVE socket stops being one).
   */
  curveServer: boolean
  /**
   * ZMQ_CURVE_PUBLICKEY: a CURVE client's long-term public key, as a 40-character Z85 string or 32 bytes
   * (anything else is EINVAL). Setting any CURVE key selects the CURVE mechanism. Reads back as Z85, or
   * `null` when never set (zeromq.js's getter fails with EINVAL instead).
   */
  curvePublicKey: string | null
  /** ZMQ_CURVE_SECRETKEY: the long-term secret key of a CURVE client or server; Z85 or 32 bytes, as above. */
  curveSecretKey: string | null
  /** ZMQ_CURVE_SERVERKEY: the server's public key a CURVE client expects; setting it makes the socket a client. */
  curveServerKey: string | null
  /**
   * ZMQ_ZAP_DOMAIN. Default none. The domain (1 to 255 bytes) sent to the ZAP handler (RFC 27); with one,
   * NULL connections are authenticated by the handler too (PLAIN and CURVE always are).
   */
  zapDomain: string | null
  /** ZMQ_TOS. Default 0. Accepted and read back; no effect: Node.js cannot set IP_TOS on TCP sockets. */
  typeOfService: number
  /** ZMQ_HANDSHAKE_IVL. Default 30000; 0 = no limit. ms. */
  handshakeInterval: number
  /** ZMQ_SOCKS_PROXY. Default none. Setting one fails with ENOTSUP: zmq-ts cannot connect through SOCKS yet. */
  socksProxy: string | null
  /** ZMQ_HEARTBEAT_IVL. Default 0 (off). ms. */
  heartbeatInterval: number
  /** ZMQ_HEARTBEAT_TTL. Default 0. ms, kept in whole deciseconds as libzmq does (255 reads back as 200). */
  heartbeatTimeToLive: number
  /** ZMQ_HEARTBEAT_TIMEOUT. Default -1 (= heartbeatInterval); set it to 0 or more. ms. */
  heartbeatTimeout: number
  /** ZMQ_CONNECT_TIMEOUT. Default 0 (the OS decides). ms. */
  connectTimeout: number
  /** ZMQ_TCP_MAXRT. Default 0. Accepted and read back; no effect: Node.js cannot set TCP_USER_TIMEOUT. */
  tcpMaxRetransmitTimeout: number
  /** ZMQ_MULTICAST_MAXTPDU. Default 1500. Accepted and read back; no effect (multicast only). */
  multicastMaxTransportDataUnit: number
  /** ZMQ_VMCI_BUFFER_SIZE. zmq-ts has no VMCI transport: reading or setting it fails with EINVAL, as in zeromq.js. */
  vmciBufferSize: number
  /** ZMQ_VMCI_BUFFER_MIN_SIZE. Fails with EINVAL (no VMCI transport), as in zeromq.js. */
  vmciBufferMinSize: number
  /** ZMQ_VMCI_BUFFER_MAX_SIZE. Fails with EINVAL (no VMCI transport), as in zeromq.js. */
  vmciBufferMaxSize: number
  /** ZMQ_VMCI_CONNECT_TIMEOUT. Fails with EINVAL (no VMCI transport), as in zeromq.js. */
  vmciConnectTimeout: number
  /**
   * ZMQ_BINDTODEVICE. Default none. Setting a device fails with ENOTSUP: Node.js cannot bind a socket to a
   * network device.
   */
  interface: string | null
  /**
   * ZMQ_ZAP_ENFORCE_DOMAIN. Default false. With it, a NULL (with a domain) or CURVE handshake fails when no ZAP
   * handler is bound, instead of going ahead unauthenticated. PLAIN fails without a handler either way.
   */
  zapEnforceDomain: boolean
  /** ZMQ_LOOPBACK_FASTPATH. Default false. Accepted and read back; no effect (a Windows-only TCP setting). */
  loopbackFastPath: boolean
  /**
   * ZMQ_RECONNECT_STOP (libzmq 4.3.5 draft). Default 0. A bit mask of when a connecting socket stops
   * reconnecting: `RECONNECT_STOP_CONN_REFUSED` (1, tcp), `RECONNECT_STOP_HANDSHAKE_FAILED` (2),
   * `RECONNECT_STOP_AFTER_DISCONNECT` (4, ipc, once `disconnect()` was called), as libzmq's connecters.
   */
  reconnectStop: number
  /**
   * ZMQ_WSS_KEY_PEM / ZMQ_WSS_CERT_PEM (libzmq draft): a wss:// server's private key and certificate chain, PEM
   * text. Default none; a wss bind without both fails with EINVAL.
   */
  wssKeyPem: string | null
  wssCertPem: string | null
  /** ZMQ_WSS_TRUST_PEM (draft): the CA certificates (PEM) a wss:// client trusts. Default none. */
  wssTrustPem: string | null
  /**
   * ZMQ_WSS_HOSTNAME (draft): the name a wss:// client checks the server's certificate against and sends as
   * SNI. Default none: the endpoint's host (libzmq checks no name then; see docs/decisions/0013).
   */
  wssHostname: string | null
  /** ZMQ_WSS_TRUST_SYSTEM (draft). Default false: a wss:// client trusts the system's CAs too (Node's bundled roots). */
  wssTrustSystem: boolean
  /** ZMQ_MECHANISM: the security mechanism the options select: `null` (NULL), `"plain"` or `"curve"`. */
  readonly securityMechanism: SecurityMechanism
  /** ZMQ_THREAD_SAFE. False on the stable socket types, true on the draft ones (SERVER, CLIENT, RADIO, DISH, …). */
  readonly threadSafe: boolean
}

/** The options of the socket types that send (zeromq.js's `Writable`): all but SUB and PULL. */
export interface SendOptionProperties {
  /** ZMQ_SNDBUF. Default -1 (the OS default). Accepted and read back; no effect: Node.js cannot set SO_SNDBUF on TCP. */
  sendBufferSize: number
  /** ZMQ_SNDHWM. Default 1000 messages per peer; 0 = no limit. */
  sendHighWaterMark: number
  /** ZMQ_SNDTIMEO. Default -1 (wait forever); 0 = fail at once with EAGAIN. ms. */
  sendTimeout: number
  /** ZMQ_MULTICAST_HOPS. Default 1: the TTL of multicast datagrams a RADIO sends over udp (elsewhere no effect). */
  multicastHops: number
}

/** The options of the socket types that receive (zeromq.js's `Readable`): all but PUB and PUSH. */
export interface ReceiveOptionProperties {
  /** ZMQ_RCVBUF. Default -1 (the OS default). Accepted and read back; no effect: Node.js cannot set SO_RCVBUF on TCP. */
  receiveBufferSize: number
  /** ZMQ_RCVHWM. Default 1000 messages per peer; 0 = no limit. */
  receiveHighWaterMark: number
  /** ZMQ_RCVTIMEO. Default -1 (wait forever); 0 = fail at once with EAGAIN. ms. */
  receiveTimeout: number
}

/** RADIO's option for udp multicast (libzmq has it on every socket; zeromq.js on none). */
export interface MulticastLoopOptionProperties {
  /** ZMQ_MULTICAST_LOOP. Default true: multicast datagrams a RADIO sends over udp reach this host's DISHes too. */
  multicastLoop: boolean
}

/** REQ, REP, DEALER, ROUTER. */
export interface RoutingIdOptionProperties {
  /** ZMQ_ROUTING_ID. Default none. 1 to 255 bytes (a Buffer is accepted too, and reads back as text). */
  routingId: string | null
}

/** ROUTER, DEALER, REQ. */
export interface ProbeRouterOptionProperties {
  /** ZMQ_PROBE_ROUTER. Default false. Send an empty message to each new peer, so a ROUTER learns our routing id at once. */
  probeRouter: boolean
}

/** PUSH, PULL, PUB, SUB, DEALER, SCATTER, GATHER. */
export interface ConflateOptionProperties {
  /**
   * ZMQ_CONFLATE. Default false. Keep only the newest message in each pipe, ignoring the high-water marks.
   * Messages stay whole: a multipart message is kept or replaced whole.
   */
  conflate: boolean
}

/** PUB, SUB, XPUB. */
export interface InvertMatchingOptionProperties {
  /**
   * ZMQ_INVERT_MATCHING. Default false. A publisher sends each message to the subscribers whose
   * subscriptions do NOT match it; a subscriber receives the messages that match none of its subscriptions.
   * Every SUB of a publisher with it needs it too.
   */
  invertMatching: boolean
}

/** PUB, XPUB, RADIO. */
export interface NoDropOptionProperties {
  /** ZMQ_XPUB_NODROP. Default false. Wait (up to sendTimeout) instead of dropping when a subscriber's pipe is full. */
  noDrop: boolean
}

export interface RouterOptionProperties {
  /**
   * ZMQ_ROUTER_MANDATORY. Default false. Fail with EHOSTUNREACH for an unknown peer and wait for a full one
   * (EAGAIN after sendTimeout), instead of dropping.
   */
  mandatory: boolean
  /** ZMQ_ROUTER_HANDOVER. Default false. A new peer with a routing id in use takes it over from the old one. */
  handover: boolean
}

export interface RequestOptionProperties {
  /** ZMQ_REQ_CORRELATE. Default false. Prefix requests with an id and accept only the reply carrying it. */
  correlate: boolean
  /** ZMQ_REQ_RELAXED. Default false. Allow a new request before the reply to the previous one (which is then dropped). */
  relaxed: boolean
}

export interface XPublisherOptionProperties {
  /**
   * ZMQ_XPUB_MANUAL. Default false. Subscriptions are passed to the application and not applied; apply them
   * with `subscribe`/`unsubscribe`.
   */
  manual: boolean
  /** ZMQ_XPUB_WELCOME_MSG. Default none. A message sent to every new subscriber (an empty one means none). */
  welcomeMessage: string | null
  /**
   * ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER. Default `null`: only the first subscription to a topic and the last
   * cancel reach the application; `"allSubs"`: every subscription; `"allSubsUnsubs"`: every cancel too. Any
   * other value is ignored, as in zeromq.js.
   */
  verbosity: Verbosity
}

/** STREAM (zeromq.js defines `notify` on Stream). */
export interface StreamOptionProperties {
  /**
   * ZMQ_STREAM_NOTIFY. Default true: each connection delivers [routing id, empty frame] when it is made and
   * when the peer goes away.
   */
  notify: boolean
}

// ── libzmq 4.3.5's newer options (draft in libzmq; zeromq.js 6.8 has none of them) ─────────────────────

/** ZMQ_RECONNECT_STOP's bits (zmq_draft.h). */
export const RECONNECT_STOP_CONN_REFUSED = 0x1
export const RECONNECT_STOP_HANDSHAKE_FAILED = 0x2
export const RECONNECT_STOP_AFTER_DISCONNECT = 0x4
/** ZMQ_ROUTER_NOTIFY's bits (zmq_draft.h: ZMQ_NOTIFY_CONNECT, ZMQ_NOTIFY_DISCONNECT). */
export const NOTIFY_CONNECT = 1
export const NOTIFY_DISCONNECT = 2

/** ROUTER. */
export interface RouterNotifyOptionProperties {
  /**
   * ZMQ_ROUTER_NOTIFY. Default 0. `NOTIFY_CONNECT` (1) and/or `NOTIFY_DISCONNECT` (2): deliver
   * [routing id][empty frame] when a tcp or ipc peer completes its handshake / when its connection drops.
   * 0 to 3, else EINVAL.
   */
  routerNotify: number
}

/** ROUTER, DEALER, CLIENT, SERVER, PEER. */
export interface HelloMessageOptionProperties {
  /**
   * ZMQ_HELLO_MSG. Default none. A message sent to each peer first, on every new connection (each
   * reconnect too) and on each inproc join. A string or Buffer; empty means none.
   */
  helloMessage: string | null
}

/** ROUTER, SERVER, PEER. */
export interface DisconnectMessageOptionProperties {
  /**
   * ZMQ_DISCONNECT_MSG. Default none. A message the socket receives, as if from the peer, when an
   * accepted tcp/ipc peer's connection drops after its handshake, or an inproc peer disconnects or closes.
   */
  disconnectMessage: string | null
}

/** DEALER, CLIENT, PEER. */
export interface HiccupMessageOptionProperties {
  /**
   * ZMQ_HICCUP_MSG. Default none. A message the socket receives, as if from the peer, when a connection it
   * made (tcp, ipc) drops after its handshake, before it reconnects.
   */
  hiccupMessage: string | null
}

/** XPUB, XSUB. */
export interface OnlyFirstSubscribeOptionProperties {
  /**
   * ZMQ_ONLY_FIRST_SUBSCRIBE. Default false: every frame of a multipart message that starts with 0x01/0x00
   * is a subscribe/cancel. With it, only a message whose first frame is one is read as subscriptions; the
   * frames of any other message are passed on as data.
   */
  onlyFirstSubscribe: boolean
}

/** PUB, SUB, XPUB, XSUB. */
export interface TopicsCountOptionProperties {
  /** ZMQ_TOPICS_COUNT, read-only: how many distinct topics (prefixes) are subscribed here. */
  readonly topicsCount: number
}

/** XPUB. */
export interface XPublisherLastValueOptionProperties {
  /**
   * ZMQ_XPUB_MANUAL_LAST_VALUE. Default false. `manual`, and after the application subscribes a
   * subscriber (`subscribe()`), the next message goes to that subscriber alone (last value caching without
   * duplicates). Setting it sets `manual` to the same value, as in libzmq.
   */
  xpubManualLastValue: boolean
}

/** Every option of any socket type, by name. */
type AllOptionProperties = SocketOptionProperties &
  SendOptionProperties &
  ReceiveOptionProperties &
  RoutingIdOptionProperties &
  ProbeRouterOptionProperties &
  ConflateOptionProperties &
  InvertMatchingOptionProperties &
  NoDropOptionProperties &
  RouterOptionProperties &
  RequestOptionProperties &
  XPublisherOptionProperties &
  StreamOptionProperties &
  RouterNotifyOptionProperties &
  HelloMessageOptionProperties &
  DisconnectMessageOptionProperties &
  HiccupMessageOptionProperties &
  OnlyFirstSubscribeOptionProperties &
  TopicsCountOptionProperties &
  XPublisherLastValueOptionProperties &
  MulticastLoopOptionProperties

export type OptionName = keyof AllOptionProperties

/** What a read-only option is: it is left out of what constructors take. */
export type ReadOnlyOptionName = "securityMechanism" | "threadSafe" | "topicsCount"

/** Options a constructor may set (zeromq.js's `SocketOptions<S>`: the writable ones). */
export type WritableOptions<P> = Partial<Omit<P, ReadOnlyOptionName>>

// ── what the layers below act on ─────────────────────────────────────────────────────────────────────

/**
 * The options as the layers below the socket act on them (pipes, sessions, engines, transports, security).
 * Kept in step with the properties by `OptionStore`; where the two differ it is said here.
 */
export interface SocketOptionValues {
  linger: number
  sendHighWaterMark: number
  receiveHighWaterMark: number
  sendTimeout: number
  receiveTimeout: number
  reconnectInterval: number
  reconnectMaxInterval: number
  connectTimeout: number
  handshakeInterval: number
  /** -1 for no limit (the property keeps any negative value it was given, as libzmq does). */
  maxMessageSize: number
  conflate: boolean
  immediate: boolean
  ipv6: boolean
  /** The routing id's bytes (the property reads them back as text). */
  routingId: Buffer | null
  backlog: number
  tcpKeepalive: number
  tcpKeepaliveIdle: number
  tcpKeepaliveCount: number
  tcpKeepaliveInterval: number
  heartbeatInterval: number
  heartbeatTimeToLive: number
  /** -1 or 0: heartbeatInterval. */
  heartbeatTimeout: number
  /** ZMQ_ZAP_DOMAIN's bytes; null for none. */
  zapDomain: Buffer | null
  zapEnforceDomain: boolean
  /**
   * The PLAIN mechanism as selected: a PLAIN server has `plainServer`; a PLAIN client has a username or a
   * password (or both); a NULL socket has none of them, whatever the properties still hold (libzmq keeps
   * the credentials when the mechanism changes, and so do the properties).
   */
  plainServer: boolean
  plainUsername: string | null
  plainPassword: string | null
  /** The CURVE mechanism as selected (RFC 26), with its 32-byte keys; null for NULL and PLAIN. */
  curve: CurveSelection | null
  probeRouter: boolean
  correlate: boolean
  relaxed: boolean
  mandatory: boolean
  handover: boolean
  noDrop: boolean
  manual: boolean
  invertMatching: boolean
  /** The welcome message's bytes; null for none (also when set to an empty message). */
  welcomeMessage: Buffer | null
  verbosity: Verbosity
  /** STREAM's ZMQ_STREAM_NOTIFY. */
  notify: boolean
  /** ZMQ_ROUTER_NOTIFY's bits. */
  routerNotify: number
  /** ZMQ_RECONNECT_STOP's bits. */
  reconnectStop: number
  /** wss:// (ZMQ_WSS_*): PEM texts and the name to check; null for none. */
  wssKeyPem: string | null
  wssCertPem: string | null
  wssTrustPem: string | null
  wssHostname: string | null
  wssTrustSystem: boolean
  /** ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG, ZMQ_HICCUP_MSG: their bytes; null for none (also when set empty). */
  helloMessage: Buffer | null
  disconnectMessage: Buffer | null
  hiccupMessage: Buffer | null
  onlyFirstSubscribe: boolean
  xpubManualLastValue: boolean
  /** udp multicast: the TTL and whether our own datagrams loop back (ZMQ_MULTICAST_HOPS, ZMQ_MULTICAST_LOOP). */
  multicastHops: number
  multicastLoop: boolean
}

// ── the option table ─────────────────────────────────────────────────────────────────────────────────

/** zeromq.js's conversion of the value (its `Type`): the C type libzmq gets. */
type OptionKind = "bool" | "int32" | "uint32" | "int64" | "uint64" | "string" | "verbosity"

export interface OptionSpec {
  readonly kind: OptionKind
  /** Reading only: assigning throws zeromq.js's TypeError. */
  readonly readOnly?: true
  /** The socket types zeromq.js defines the option on; all of them when absent. */
  readonly on?: readonly SocketTypeName[]
  /**
   * One of the options zeromq.js does not warn about when set after bind/connect (they apply at once);
   * the others warn "Socket option will not take effect until next connect/bind.".
   */
  readonly immediate?: true
  /** For integers: the range libzmq accepts, after conversion. */
  readonly min?: number
  readonly max?: number
}

// The draft types (RFC 41, 48, 49, 51, 52): libzmq's thread-safe sockets, with zeromq.js's option sets.
/** libzmq's thread-safe socket types: ZMQ_THREAD_SAFE reads true on them. */
export const THREAD_SAFE_TYPES: readonly SocketType[] = ["SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "PEER", "CHANNEL"]
const DRAFT_WRITABLES: readonly SocketTypeName[] = ["SERVER", "CLIENT", "RADIO", "SCATTER", "PEER", "CHANNEL", "DGRAM"]
const DRAFT_READABLES: readonly SocketTypeName[] = ["SERVER", "CLIENT", "DISH", "GATHER", "PEER", "CHANNEL", "DGRAM"]
const WRITABLES: readonly SocketTypeName[] = ["PAIR", "PUB", "REQ", "REP", "DEALER", "ROUTER", "PUSH", "XPUB", "XSUB", "STREAM", ...DRAFT_WRITABLES]
const READABLES: readonly SocketTypeName[] = ["PAIR", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "XPUB", "XSUB", "STREAM", ...DRAFT_READABLES]
const INT32_MAX = 2 ** 31 - 1

/**
 * Every option zeromq.js 6.8 defines for the stable socket types (the GSSAPI ones are left out, as in
 * zeromq.js builds without GSSAPI). zeromq.js defines probeRouter, correlate, relaxed, conflate, handover,
 * noDrop, manual, welcomeMessage and verbosity write-only (reading them gives `undefined`, as libzmq cannot
 * read them back) and `mandatory` unreadable (EINVAL); zmq-ts reads them all back.
 */
export const SOCKET_OPTIONS: Readonly<Record<OptionName, OptionSpec>> = {
  sendBufferSize: { kind: "int32", on: WRITABLES, min: -1 },
  sendHighWaterMark: { kind: "int32", on: WRITABLES, min: 0, immediate: true },
  sendTimeout: { kind: "int32", on: WRITABLES, min: -1, immediate: true },
  multicastHops: { kind: "int32", on: WRITABLES, min: 1 },
  receiveBufferSize: { kind: "int32", on: READABLES, min: -1 },
  receiveHighWaterMark: { kind: "int32", on: READABLES, min: 0, immediate: true },
  receiveTimeout: { kind: "int32", on: READABLES, min: -1, immediate: true },
  affinity: { kind: "uint64" },
  routingId: { kind: "string", on: ["REQ", "REP", "ROUTER", "DEALER"] },
  rate: { kind: "int32", min: 1 },
  recoveryInterval: { kind: "int32", min: 0 },
  linger: { kind: "int32", min: -1, immediate: true },
  reconnectInterval: { kind: "int32", min: -1 },
  backlog: { kind: "int32", min: 0 },
  reconnectMaxInterval: { kind: "int32", min: 0 },
  maxMessageSize: { kind: "int64" },
  mandatory: { kind: "bool", on: ["ROUTER"], immediate: true },
  tcpKeepalive: { kind: "int32", min: -1, max: 1 },
  tcpKeepaliveCount: { kind: "int32", min: -1 },
  tcpKeepaliveIdle: { kind: "int32", min: -1 },
  tcpKeepaliveInterval: { kind: "int32", min: -1 },
  tcpAcceptFilter: { kind: "string" },
  immediate: { kind: "bool" },
  ipv6: { kind: "bool" },
  securityMechanism: { kind: "int32", readOnly: true },
  plainServer: { kind: "bool" },
  plainUsername: { kind: "string" },
  plainPassword: { kind: "string" },
  curveServer: { kind: "bool" },
  curvePublicKey: { kind: "string" },
  curveSecretKey: { kind: "string" },
  curveServerKey: { kind: "string" },
  probeRouter: { kind: "bool", on: ["ROUTER", "DEALER", "REQ"], immediate: true },
  correlate: { kind: "bool", on: ["REQ"], immediate: true },
  relaxed: { kind: "bool", on: ["REQ"], immediate: true },
  conflate: { kind: "bool", on: ["PULL", "PUSH", "SUB", "PUB", "DEALER", "SCATTER", "GATHER"] },
  zapDomain: { kind: "string" },
  handover: { kind: "bool", on: ["ROUTER"], immediate: true },
  typeOfService: { kind: "uint32" },
  handshakeInterval: { kind: "int32", min: 0 },
  socksProxy: { kind: "string" },
  noDrop: { kind: "bool", on: ["XPUB", "PUB", "RADIO"] },
  manual: { kind: "bool", on: ["XPUB"] },
  welcomeMessage: { kind: "string", on: ["XPUB"] },
  invertMatching: { kind: "bool", on: ["PUB", "SUB", "XPUB"] },
  heartbeatInterval: { kind: "int32", min: 0 },
  heartbeatTimeToLive: { kind: "int32" },
  heartbeatTimeout: { kind: "int32", min: 0 },
  connectTimeout: { kind: "int32", min: 0 },
  tcpMaxRetransmitTimeout: { kind: "int32", min: 0 },
  threadSafe: { kind: "bool", readOnly: true },
  multicastMaxTransportDataUnit: { kind: "int32", min: 1 },
  vmciBufferSize: { kind: "uint64" },
  vmciBufferMinSize: { kind: "uint64" },
  vmciBufferMaxSize: { kind: "uint64" },
  vmciConnectTimeout: { kind: "int32" },
  interface: { kind: "string" },
  zapEnforceDomain: { kind: "bool" },
  loopbackFastPath: { kind: "bool" },
  verbosity: { kind: "verbosity", on: ["XPUB"], immediate: true },
  notify: { kind: "bool", on: ["STREAM"] },
  // libzmq 4.3.5's draft options, on the types libzmq lets act on them (can_send_hello_msg and so on).
  reconnectStop: { kind: "int32" },
  wssKeyPem: { kind: "string" },
  wssCertPem: { kind: "string" },
  wssTrustPem: { kind: "string" },
  wssHostname: { kind: "string" },
  wssTrustSystem: { kind: "bool" },
  routerNotify: { kind: "int32", on: ["ROUTER"], min: 0, max: NOTIFY_CONNECT | NOTIFY_DISCONNECT },
  helloMessage: { kind: "string", on: ["ROUTER", "DEALER", "CLIENT", "SERVER", "PEER"] },
  disconnectMessage: { kind: "string", on: ["ROUTER", "SERVER", "PEER"] },
  hiccupMessage: { kind: "string", on: ["DEALER", "CLIENT", "PEER"] },
  onlyFirstSubscribe: { kind: "bool", on: ["XPUB", "XSUB"], immediate: true },
  xpubManualLastValue: { kind: "bool", on: ["XPUB"], immediate: true },
  topicsCount: { kind: "int32", on: ["PUB", "SUB", "XPUB", "XSUB"], readOnly: true },
  multicastLoop: { kind: "bool", on: ["RADIO"] },
}

// ── conversions (zeromq.js's argument checks and number casts) ───────────────────────────────────────

const NOT_A_NUMBER = "Option value must be a number"
const NOT_A_BOOLEAN = "Option value must be a boolean"
const NOT_A_STRING = "Option value must be a string or buffer"

/** A boolean option's value; anything else is zeromq.js's TypeError. */
export function toBooleanOption(value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(NOT_A_BOOLEAN)
  return value
}

/** An int option's value as libzmq gets it: JavaScript's ToInt32 (truncated, modulo 2³², NaN and ±∞ are 0). */
export function toInt32Option(value: unknown): number {
  if (typeof value !== "number") throw new TypeError(NOT_A_NUMBER)
  return value | 0
}

function toUint32(value: unknown): number {
  if (typeof value !== "number") throw new TypeError(NOT_A_NUMBER)
  return value >>> 0
}

/** int64: truncated; NaN and ±∞ are 0; beyond int64 it saturates (V8's IntegerValue). */
function toInt64(value: unknown): number {
  if (typeof value !== "number") throw new TypeError(NOT_A_NUMBER)
  if (!Number.isFinite(value)) return 0
  return Math.max(-(2 ** 63), Math.min(2 ** 63, Math.trunc(value))) + 0 // + 0: no -0
}

/**
 * uint64, as zeromq.js's `NumberCast<uint64_t>`: negative is 0, beyond 2⁶⁴ is 2⁶⁴, NaN is what x86 makes of
 * it (2⁶³), and past Number.MAX_SAFE_INTEGER it warns that the value may have been rounded.
 */
function toUint64(value: unknown): number {
  if (typeof value !== "number") throw new TypeError(NOT_A_NUMBER)
  if (value < 0) return 0
  if (Number.isNaN(value)) return 2 ** 63
  if (value > Number.MAX_SAFE_INTEGER) {
    emitWarning("Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.")
  }
  return Math.min(2 ** 64, Math.trunc(value)) + 0 // + 0: no -0
}

/**
 * A string option's value as the bytes libzmq gets: a string as UTF-8, a Buffer (any ArrayBufferView) as
 * it is. `null` and an empty Buffer are libzmq's "no value" (a null pointer); `""` is not (zero bytes at a
 * pointer), which most string options refuse.
 */
function toBytes(value: unknown): Buffer | null {
  if (value === null) return null
  if (typeof value === "string") return Buffer.from(value, "utf8")
  if (ArrayBuffer.isView(value)) {
    return value.byteLength === 0 ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  }
  throw new TypeError(NOT_A_STRING)
}

/** zeromq.js's argument check alone: a TypeError for a value of the wrong JavaScript type, nothing else. */
export function checkOptionType(name: OptionName, value: unknown): void {
  switch (SOCKET_OPTIONS[name].kind) {
    case "bool":
      toBooleanOption(value)
      return
    case "string":
      if (value !== null && typeof value !== "string" && !ArrayBuffer.isView(value)) throw new TypeError(NOT_A_STRING)
      return
    case "verbosity":
      return // zeromq.js's setter takes anything (and ignores what it does not know)
    default:
      if (typeof value !== "number") throw new TypeError(NOT_A_NUMBER)
  }
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/

/** A CURVE key as libzmq's set_curve_key takes it: 32 raw bytes, 40 Z85 characters, or 41 ending in NUL. */
function curveKey(bytes: Buffer | null, text: string | null): Uint8Array | undefined {
  if (bytes === null || text === null) return undefined
  if (bytes.length === 32) return new Uint8Array(bytes)
  const z85 = bytes.length === 41 && bytes[40] === 0 ? text.slice(0, 40) : text
  return z85.length === 40 && Z85_KEY.test(z85) ? z85Decode(z85) : undefined
}

// ── the store ────────────────────────────────────────────────────────────────────────────────────────

/** A CURVE server needs its secret key; a client its key pair and the server's public key. */
export type CurveSelection =
  | { readonly server: true; readonly secretKey: Uint8Array }
  | { readonly server: false; readonly publicKey: Uint8Array; readonly secretKey: Uint8Array; readonly serverKey: Uint8Array }

const ZERO_KEY = new Uint8Array(32)

/** What an option reads back as. */
export type OptionValue = number | boolean | string | null

/** What a socket's defaults depend on besides its type: its context (ZMQ_BLOCKY, ZMQ_IPV6). */
export interface OptionDefaults {
  readonly blocky: boolean
  readonly ipv6: boolean
}


/**
 * One socket's options: what each property reads back as, and what the layers below act on (`effective`),
 * kept in step. `write` converts and checks a value as zeromq.js and libzmq do, and throws as they do
 * (TypeError for the wrong JavaScript type, ZmqError EINVAL out of range) before changing anything.
 */
export class OptionStore {
  /** What the pipes, sessions, engines and transports act on; updated in place, so holders see changes. */
  readonly effective: SocketOptionValues
  readonly #values: Record<OptionName, OptionValue>
  /** libzmq's `as_server`, apart from the mechanism: ZMQ_PLAIN_SERVER reads true only for a PLAIN server. */
  #asServer = false
  /** The CURVE keys set so far, as 32 bytes each. */
  readonly #curveKeys: Partial<Record<"curvePublicKey" | "curveSecretKey" | "curveServerKey", Uint8Array>> = {}

  constructor(type: SocketTypeName, defaults: OptionDefaults) {
    // libzmq's xsub_t sets linger 0 for SUB and XSUB: a subscriber's queued subscriptions never hold up exit.
    // dish_t does too, so that its queued JOIN/LEAVE commands never hold it up either.
    const linger = !defaults.blocky || type === "SUB" || type === "XSUB" || type === "DISH" ? 0 : DEFAULT_LINGER
    this.#values = {
      sendBufferSize: -1,
      sendHighWaterMark: DEFAULT_HIGH_WATER_MARK,
      sendTimeout: -1,
      multicastHops: 1,
      receiveBufferSize: -1,
      receiveHighWaterMark: DEFAULT_HIGH_WATER_MARK,
      receiveTimeout: -1,
      affinity: 0,
      routingId: null,
      rate: 100,
      recoveryInterval: 10_000,
      linger,
      reconnectInterval: DEFAULT_RECONNECT_INTERVAL,
      backlog: DEFAULT_BACKLOG,
      reconnectMaxInterval: 0,
      maxMessageSize: -1,
      mandatory: false,
      tcpKeepalive: -1,
      tcpKeepaliveCount: -1,
      tcpKeepaliveIdle: -1,
      tcpKeepaliveInterval: -1,
      tcpAcceptFilter: null,
      immediate: false,
      ipv6: defaults.ipv6,
      securityMechanism: null,
      plainServer: false,
      plainUsername: null,
      plainPassword: null,
      curveServer: false,
      curvePublicKey: null,
      curveSecretKey: null,
      curveServerKey: null,
      probeRouter: false,
      correlate: false,
      relaxed: false,
      conflate: false,
      zapDomain: null,
      handover: false,
      typeOfService: 0,
      handshakeInterval: DEFAULT_HANDSHAKE_INTERVAL,
      socksProxy: null,
      noDrop: false,
      manual: false,
      welcomeMessage: null,
      invertMatching: false,
      heartbeatInterval: 0,
      heartbeatTimeToLive: 0,
      heartbeatTimeout: -1,
      connectTimeout: 0,
      tcpMaxRetransmitTimeout: 0,
      threadSafe: (THREAD_SAFE_TYPES as readonly SocketTypeName[]).includes(type),
      multicastMaxTransportDataUnit: 1500,
      vmciBufferSize: 0,
      vmciBufferMinSize: 0,
      vmciBufferMaxSize: 0,
      vmciConnectTimeout: 0,
      interface: null,
      zapEnforceDomain: false,
      loopbackFastPath: false,
      verbosity: null,
      notify: true,
      reconnectStop: 0,
      wssKeyPem: null,
      wssCertPem: null,
      wssTrustPem: null,
      wssHostname: null,
      wssTrustSystem: false,
      routerNotify: 0,
      helloMessage: null,
      disconnectMessage: null,
      hiccupMessage: null,
      onlyFirstSubscribe: false,
      xpubManualLastValue: false,
      topicsCount: 0, // the socket type answers it (xpub.ts, xsub.ts)
      multicastLoop: true,
    }
    this.effective = {
      linger,
      sendHighWaterMark: DEFAULT_HIGH_WATER_MARK,
      receiveHighWaterMark: DEFAULT_HIGH_WATER_MARK,
      sendTimeout: -1,
      receiveTimeout: -1,
      reconnectInterval: DEFAULT_RECONNECT_INTERVAL,
      reconnectMaxInterval: 0,
      connectTimeout: 0,
      handshakeInterval: DEFAULT_HANDSHAKE_INTERVAL,
      maxMessageSize: -1,
      conflate: false,
      immediate: false,
      ipv6: defaults.ipv6,
      routingId: null,
      backlog: DEFAULT_BACKLOG,
      tcpKeepalive: -1,
      tcpKeepaliveIdle: -1,
      tcpKeepaliveCount: -1,
      tcpKeepaliveInterval: -1,
      heartbeatInterval: 0,
      heartbeatTimeToLive: 0,
      heartbeatTimeout: -1,
      zapDomain: null,
      zapEnforceDomain: false,
      plainServer: false,
      plainUsername: null,
      plainPassword: null,
      curve: null,
      probeRouter: false,
      correlate: false,
      relaxed: false,
      mandatory: false,
      handover: false,
      noDrop: false,
      manual: false,
      invertMatching: false,
      welcomeMessage: null,
      verbosity: null,
      notify: true,
      routerNotify: 0,
      reconnectStop: 0,
      wssKeyPem: null,
      wssCertPem: null,
      wssTrustPem: null,
      wssHostname: null,
      wssTrustSystem: false,
      helloMessage: null,
      disconnectMessage: null,
      hiccupMessage: null,
      onlyFirstSubscribe: false,
      xpubManualLastValue: false,
      multicastHops: 1,
      multicastLoop: true,
    }
  }

  /** The option's value as its property reads it. */
  read(name: OptionName): OptionValue {
    switch (name) {
      case "plainServer":
        return this.#asServer && this.#values.securityMechanism === "plain"
      case "curveServer":
        return this.#asServer && this.#values.securityMechanism === "curve"
      case "vmciBufferSize":
      case "vmciBufferMinSize":
      case "vmciBufferMaxSize":
      case "vmciConnectTimeout":
        throw zmqError("EINVAL", `${name} cannot be read: zmq-ts has no VMCI transport`)
      default:
        return this.#values[name]
    }
  }

  /** Sets the option as its property setter does; throws without changing anything if the value is refused. */
  write(name: OptionName, input: unknown): void {
    const spec = SOCKET_OPTIONS[name]
    switch (spec.kind) {
      case "bool":
        this.#writeBoolean(name, toBooleanOption(input))
        return
      case "int32":
        this.#writeNumber(name, spec, toInt32Option(input), input)
        return
      case "uint32": {
        // libzmq reads ZMQ_TOS back into an int: past 2³¹-1 it is negative, and refused.
        const value = toUint32(input)
        if (value > INT32_MAX) throw outOfRange(name, input, "from 0 to 2147483647")
        this.#store(name, value)
        return
      }
      case "int64": {
        // ZMQ_MAXMSGSIZE, the one int64: libzmq takes any value, and any negative one means no limit.
        const value = toInt64(input)
        this.#values.maxMessageSize = value
        this.effective.maxMessageSize = value < 0 ? -1 : Math.min(value, Number.MAX_SAFE_INTEGER)
        return
      }
      case "uint64": {
        const value = toUint64(input)
        if (name !== "affinity") throw zmqError("EINVAL", `${name} cannot be set: zmq-ts has no VMCI transport`)
        this.#store(name, value)
        return
      }
      case "string":
        this.#writeString(name, toBytes(input), input)
        return
      case "verbosity":
        // zeromq.js's setter maps the three values to ZMQ_XPUB_VERBOSE/VERBOSER and ignores anything else.
        if (input === null || input === "allSubs" || input === "allSubsUnsubs") this.#store(name, input)
        return
    }
  }

  #store(name: OptionName, value: OptionValue): void {
    this.#values[name] = value
    if (Object.hasOwn(this.effective, name)) (this.effective as unknown as Record<string, OptionValue>)[name] = value
  }

  #writeBoolean(name: OptionName, value: boolean): void {
    switch (name) {
      case "plainServer":
        // libzmq: ZMQ_PLAIN_SERVER 1 selects a PLAIN server, 0 the NULL mechanism.
        this.#asServer = value
        this.#select(value ? "plain" : null)
        return
      case "curveServer":
        // libzmq: ZMQ_CURVE_SERVER 1 selects a CURVE server, 0 the NULL mechanism (a PLAIN socket stops being one).
        this.#asServer = value
        this.#select(value ? "curve" : null)
        return
      case "xpubManualLastValue":
        // libzmq's xpub.cpp: ZMQ_XPUB_MANUAL_LAST_VALUE sets `manual` too.
        this.#store(name, value)
        this.#store("manual", value)
        return
      default:
        this.#store(name, value)
    }
  }

  #writeNumber(name: OptionName, spec: OptionSpec, value: number, input: unknown): void {
    if (name === "vmciConnectTimeout") throw zmqError("EINVAL", `${name} cannot be set: zmq-ts has no VMCI transport`)
    if (name === "heartbeatTimeToLive") {
      // libzmq keeps it in deciseconds (the ZMTP PING field), truncating, and reads it back in ms.
      const deciseconds = Math.trunc(value / 100)
      if (deciseconds < 0 || deciseconds > 0xffff) throw outOfRange(name, input, "from 0 to 6553599")
      this.#store(name, deciseconds * 100 + 0) // + 0: -0.5 s truncates to -0
      return
    }
    const min = spec.min ?? -(2 ** 31)
    const max = spec.max ?? INT32_MAX
    if (value < min || value > max) throw outOfRange(name, input, `from ${min} to ${max}`)
    this.#store(name, value)
  }

  #writeString(name: OptionName, bytes: Buffer | null, input: unknown): void {
    const text = bytes === null ? null : bytes.toString("utf8")
    switch (name) {
      case "routingId":
        if (bytes === null || bytes.length === 0 || bytes.length > 255) throw outOfRange(name, input, "1 to 255 bytes")
        this.#values.routingId = text
        this.effective.routingId = Buffer.from(bytes) // a copy: the caller may reuse its Buffer
        return
      case "plainUsername":
      case "plainPassword":
        // libzmq: a value (1 to 255 bytes) selects a PLAIN client; null selects NULL and keeps the old value.
        if (bytes === null) {
          this.#select(null)
          return
        }
        if (bytes.length === 0 || bytes.length > 255) throw outOfRange(name, input, "1 to 255 bytes, or null")
        this.#values[name] = text
        this.#asServer = false
        this.#select("plain")
        return
      case "curvePublicKey":
      case "curveSecretKey":
      case "curveServerKey":
      {
        const key = curveKey(bytes, text)
        if (key === undefined) throw outOfRange(name, input, "a 40-character Z85 key or 32 bytes")
        this.#values[name] = z85Encode(key)
        this.#curveKeys[name] = key
        // libzmq's set_curve_key: any key selects CURVE; the server's key makes the socket a client.
        if (name === "curveServerKey") this.#asServer = false
        this.#select("curve")
        return
      }
      case "zapDomain":
        // libzmq: 1 to 255 bytes; there is no way back to none, as in libzmq.
        if (bytes === null || bytes.length === 0 || bytes.length > 255) throw outOfRange(name, input, "1 to 255 bytes")
        this.#values.zapDomain = text
        this.effective.zapDomain = Buffer.from(bytes) // a copy: the caller may reuse its Buffer
        return
      case "tcpAcceptFilter":
        if (bytes === null) return // clears the filters: there are none
        throw zmqError("ENOTSUP", "tcpAcceptFilter cannot be set: zmq-ts has no TCP accept filters, and ignoring one would let every peer connect")
      case "socksProxy":
        if (bytes === null) return
        if (bytes.length === 0) throw outOfRange(name, input, "a host:port, or null")
        throw zmqError("ENOTSUP", "socksProxy cannot be set: zmq-ts cannot connect through a SOCKS proxy yet, and connecting directly instead would be a silent difference")
      case "interface":
        if (bytes === null) return
        if (bytes.length === 0 || bytes.length > 16) throw outOfRange(name, input, "a device name of 1 to 16 bytes, or null")
        throw zmqError("ENOTSUP", "interface cannot be set: Node.js cannot bind a socket to a network device (SO_BINDTODEVICE)")
      case "wssKeyPem":
      case "wssCertPem":
      case "wssTrustPem": {
        // libzmq takes any bytes (a TODO there); a PEM block is checked for here, so a path or DER is refused at once.
        const label = name === "wssKeyPem" ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/
        if (text !== null && text.length > 0 && !label.test(text)) throw outOfRange(name, input, name === "wssKeyPem" ? "a PEM private key" : "PEM certificates")
        this.#store(name, text === null || text.length === 0 ? null : text)
        return
      }
      case "wssHostname":
        if (bytes !== null && bytes.length > 255) throw outOfRange(name, input, "a host name of at most 255 bytes")
        this.#store(name, text === null || text.length === 0 ? null : text)
        return
      case "welcomeMessage":
      case "helloMessage":
      case "disconnectMessage":
      case "hiccupMessage":
        // libzmq: an empty message (or none) means no message.
        this.#values[name] = text
        this.effective[name] = bytes === null || bytes.length === 0 ? null : Buffer.from(bytes)
        return
      default:
        this.#store(name, text)
    }
  }

  /** libzmq's `mechanism`: what securityMechanism reads, and which of the PLAIN options take effect. */
  #select(mechanism: "plain" | "curve" | null): void {
    this.#values.securityMechanism = mechanism
    const plain = mechanism === "plain"
    this.effective.plainServer = plain && this.#asServer
    const client = plain && !this.#asServer
    this.effective.plainUsername = client ? (this.#values.plainUsername as string | null) : null
    this.effective.plainPassword = client ? (this.#values.plainPassword as string | null) : null
    // Keys never set are zero, as in libzmq: the handshake then fails (a zero shared secret), never NULL.
    const keys = this.#curveKeys
    this.effective.curve =
      mechanism !== "curve"
        ? null
        : this.#asServer
          ? { server: true, secretKey: keys.curveSecretKey ?? ZERO_KEY }
          : {
              server: false,
              publicKey: keys.curvePublicKey ?? ZERO_KEY,
              secretKey: keys.curveSecretKey ?? ZERO_KEY,
              serverKey: keys.curveServerKey ?? ZERO_KEY,
            }
  }
}

function outOfRange(name: string, input: unknown, range: string): Error {
  const shown = typeof input === "string" ? JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input) : ArrayBuffer.isView(input) ? `${input.byteLength} bytes` : String(input)
  return zmqError("EINVAL", `${name} must be ${range}, got ${shown}`)
}
