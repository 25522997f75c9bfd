import { Buffer } from "#platform/buffer"
import { unrefTimer } from "#platform/timers"
import type { PeerInfo, ZmtpError, ZmtpEvent, ZwsFraming } from "@zmq-ts/zmtp"
import { pipeLimits, PipeEnd, type PipeListener, type PeerIdentity } from "../pipes/pipe.js"
import { subscriptionCommandBody, subscriptionMessage, type Frames } from "../pipes/message.js"
import type { Socket as NetSocket } from "node:net"
import { StreamEngine, type EngineHandler } from "./stream-engine.js"
import type { ZmtpEngine } from "./zmtp-engine.js"
import { RawEngine, type RawEngineHandler } from "./raw-engine.js"
import { pipeAtConnect, zmtpTypeOf, type SocketHost } from "../pipes/socket-host.js"
import { zmqError } from "../common/errors.js"
import { NOTIFY_CONNECT, NOTIFY_DISCONNECT } from "../common/options.js"
import { lingerAfterClose, lingerAtExit, type Undelivered } from "../common/exit-linger.js"
import { mechanismFor, mechanismReady } from "../security/mechanisms.js"
import type { ZapConnector } from "../security/zap-client.js"
import { handshakeFailure } from "./handshake-events.js"
import { ConnectionProperties } from "./message-properties.js"

/**
 * libzmq's `session_base`: the far end of one pipe, fed by one engine at a time. A connecting session is
 * persistent: its pipe (and the messages queued in it) outlive each TCP connection, so `send()` works before
 * the peer is up and across reconnects. An accepted session lives and dies with its one connection.
 * ROUTER-like sockets, and `immediate`, get a pipe only once a handshake has told who the peer is.
 * A socket whose host's wire is "raw" (STREAM) gets a raw engine instead: no handshake, bytes as messages.
 */
export class StreamSession implements PipeListener, EngineHandler, RawEngineHandler, Undelivered {
  readonly #host: SocketHost
  readonly #address: string
  readonly #persistent: boolean
  readonly #routingId: Buffer | undefined
  /** Opens a pipe to the context's ZAP handler, for the mechanism's authentication requests. */
  readonly #zap: ZapConnector
  #pipe: PipeEnd | undefined
  #engine: ZmtpEngine | RawEngine | undefined
  #closing = false
  /** Handshakes completed so far; after the first, a new one on the same pipe is a reconnect. */
  #handshakes = 0
  /** SUB, XSUB and DISH send their subscriptions (joins) upstream, and send them again after a reconnect. */
  readonly #sendsSubscriptions: boolean
  #lingerTimer: ReturnType<typeof setTimeout> | undefined
  /** Called when an engine of this session has closed (the connecter reconnects). */
  onEngineClosed: ((handshakeSucceeded: boolean) => void) | undefined
  /** Called once the session has nothing left to do. */
  onDone: (() => void) | undefined
  /** While the session exists, what it has not delivered keeps its thread alive at exit (exit-linger.ts). */
  readonly #forgetAtExit = lingerAtExit(this)

  constructor(host: SocketHost, address: string, persistent: boolean, routingId: Buffer | undefined, zap: ZapConnector) {
    this.#host = host
    this.#address = address
    this.#persistent = persistent
    this.#routingId = routingId
    this.#zap = zap
    this.#sendsSubscriptions = host.type === "SUB" || host.type === "XSUB" || host.type === "DISH"
    if (persistent && pipeAtConnect(host, routingId)) this.#createPipe(undefined)
  }

  get engine(): ZmtpEngine | RawEngine | undefined {
    return this.#engine
  }

  /** Messages the socket queued that have not reached the wire, or bytes Node has not written yet. */
  get undelivered(): boolean {
    if ((this.#pipe?.incomingCount ?? 0) > 0) return true
    const engine = this.#engine
    return engine !== undefined && !engine.closed && (pendingBytes(engine) > 0 || (engine instanceof RawEngine ? engine.socket.writableLength : engine.unsentBytes) > 0)
  }

  get linger(): number {
    return this.#host.options.linger
  }

  get blocky(): boolean {
    return this.#host.blocky
  }

  /**
   * Options for a new engine of this session. `peerAddress` names the peer in events; `peerHost` is its
   * address without port, as the ZAP handler and the "Peer-Address" message property get it.
   */
  /**
   * Starts an engine on a connected byte stream: at once, or, while the mechanism's crypto is still loading
   * (CURVE's loads on first use), once it has loaded. Node buffers what the peer sends meanwhile.
   */
  /** `zws`: the stream is a WebSocket its transport already upgraded (ZWS 2.0, transports/ws/). */
  startEngine(socket: NetSocket, peerAddress: string, peerHost: string, zws?: ZwsFraming): void {
    if (this.#host.wire === "raw") {
      this.#startRaw(new RawEngine(socket, peerAddress, peerHost, this))
      return
    }
    const start = (): void => {
      const options = this.engineOptions(peerAddress, peerHost)
      this.attach(new StreamEngine(socket, zws === undefined ? options : { ...options, zws }, this))
    }
    const ready = mechanismReady(this.#host.options)
    if (ready === undefined) {
      start()
      return
    }
    /** The stream ends unused: stopped meanwhile (stop() has finished the session), or the peer left. */
    const abandon = (): void => {
      socket.destroy()
      if (!this.#closing) this.engineClosed(undefined)
    }
    ready.then(
      () => (this.#closing || socket.destroyed ? abandon() : start()),
      (error: unknown) => {
        this.#host.emit({ type: "handshake:error:other", address: this.#address, error: zmqError("EFAULT", `the CURVE mechanism could not be loaded: ${String(error)}`, this.#address) })
        abandon()
      },
    )
  }

  engineOptions(peerAddress: string, peerHost: string) {
    const options = this.#host.options
    const routingId = options.routingId === null ? undefined : Buffer.from(options.routingId)
    return {
      socketType: zmtpTypeOf(this.#host, this.#address),
      mechanism: mechanismFor(options),
      routingId,
      maxMessageSize: options.maxMessageSize,
      handshakeInterval: options.handshakeInterval,
      heartbeatInterval: options.heartbeatInterval,
      heartbeatTimeToLive: options.heartbeatTimeToLive,
      heartbeatTimeout: options.heartbeatTimeout,
      peerAddress,
      zap: {
        connect: this.#zap,
        domain: options.zapDomain ?? EMPTY,
        enforceDomain: options.zapEnforceDomain,
        identity: routingId ?? EMPTY,
        address: peerHost,
      },
    }
  }

  /** Runs the session over `engine` (made by startEngine, or by a transport with its own carrier). */
  attach(engine: ZmtpEngine): void {
    this.#engine = engine
  }

  /**
   * A raw connection is up at once (libzmq's raw_engine plug_internal): the pipe is made if there is none
   * yet, which gives the STREAM socket its routing id, and with ZMQ_STREAM_NOTIFY an empty message tells
   * the application the peer is there. No handshake event: libzmq's raw engine reports none.
   */
  #startRaw(engine: RawEngine): void {
    this.#engine = engine
    if (this.#closing) {
      engine.destroy()
      return
    }
    const pipe = this.#pipe
    if (pipe === undefined || pipe.closed) this.#createPipe(RAW_PEER)
    else pipe.other.peer = RAW_PEER
    this.#handshakes++
    // "Peer-Address" on what the connection delivers, the routing id the socket puts first included.
    const properties = new ConnectionProperties(engine.peerHost)
    engine.tagReceivedChunks(properties)
    const routingId = this.#pipe?.other.routingId
    if (routingId !== undefined) properties.attachTo(routingId)
    if (this.#host.options.notify) this.#pipe?.forceWriteFrame(EMPTY)
    engine.setSource(() => this.#pipe?.readForWire())
  }

  engineClosing(_engine: RawEngine): void {
    this.#closing = true
  }

  /**
   * Stops the session for good (unbind, disconnect, close). The socket closes its pipe ends first, which
   * starts the linger flush; a session still handshaking, or without a pipe, ends at once.
   */
  stop(): void {
    const socketEnd = this.#pipe?.other
    if (socketEnd !== undefined && !socketEnd.closed) {
      socketEnd.close() // we hear pipeTerminated and linger
      this.#host.listener.pipeTerminated(socketEnd)
      return
    }
    if (this.#closing) return
    this.#closing = true
    if (this.#engine === undefined) this.#finish()
    else this.#engine.destroy()
  }

  // ── EngineHandler ──────────────────────────────────────────────────────────────────────────────────

  engineReady(engine: ZmtpEngine, peer: PeerInfo): void {
    const identity = toPeerIdentity(peer)
    const pipe = this.#pipe
    if (pipe === undefined || pipe.closed) {
      this.#createPipe(identity)
    } else {
      pipe.other.peer = identity
      if (this.#handshakes > 0 && this.#sendsSubscriptions) {
        // libzmq's hiccup: drop what a subscriber queued while disconnected, and let it resend every
        // subscription, so the new publisher sees each exactly once.
        pipe.other.discardOutgoing()
        pipe.other.listener.pipeHiccuped?.(pipe.other)
      }
    }
    this.#handshakes++
    const authentication = engine.authentication
    if (authentication !== undefined) {
      // A ZAP handler vouched for this peer: its messages answer messageProperty() (User-Id, …).
      const properties = new ConnectionProperties(engine.peerHost, authentication, peer)
      engine.tagReceivedFrames(properties)
      const routingId = this.#pipe?.other.routingId
      if (routingId !== undefined) properties.attachTo(routingId) // the frame a ROUTER puts first
    }
    this.#host.emit({ type: "handshake", address: this.#address })
    const connection = engine.connection
    const options = this.#host.options
    // ZMQ_HELLO_MSG: the first message on every connection, ahead of anything queued (hello_msg_session_t).
    if (options.helloMessage !== null) connection.send([options.helloMessage])
    // ZMQ_ROUTER_NOTIFY: [routing id][empty] once the peer is known (stream_engine_base's mechanism_ready).
    if ((options.routerNotify & NOTIFY_CONNECT) !== 0) this.#pipe?.forceWrite([EMPTY])
    engine.setSource(
      this.#sendsSubscriptions
        ? () => {
            // Subscriptions travel in the pipe as 0x01/0x00 + topic; the codec puts them on the wire as
            // SUBSCRIBE/CANCEL commands (ZMTP 3.1) or as those very messages (3.0). A DISH's joins and
            // leaves travel the same way and become JOIN/LEAVE commands (dish_session_t).
            const dish = this.#host.type === "DISH"
            // JOIN/LEAVE exist from ZMTP 3.1 on; a peer claiming 3.0 (no libzmq RADIO does) hears none.
            const joins = peer.zmtpVersion.major > 3 || peer.zmtpVersion.minor >= 1
            for (let message = this.#pipe?.read(); message !== undefined; message = this.#pipe?.read()) {
              const first = message[0]!
              if (message.length !== 1 || first.length === 0 || first[0]! > 1) {
                if (dish) continue // a DISH sends nothing else
                return message
              }
              if (dish) {
                if (!joins) continue
                if (first[0] === 1) connection.join(first.subarray(1))
                else connection.leave(first.subarray(1))
              } else if (first[0] === 1) connection.subscribe(first.subarray(1))
              else connection.cancel(first.subarray(1))
            }
            return undefined
          }
        : () => this.#pipe?.readForWire(),
    )
    if (this.#closing) engine.endWhenFlushed()
  }

  engineMessage(frames: Frames): boolean {
    const pipe = this.#pipe
    if (pipe === undefined) return true
    return pipe.forceWrite(frames)
  }

  engineFrame(frame: Buffer): boolean {
    const pipe = this.#pipe
    if (pipe === undefined) return true
    return pipe.forceWriteFrame(frame)
  }

  engineEvent(event: ZmtpEvent): void {
    // Subscriptions reach publishers as messages in the pipe, whichever ZMTP version carried them. Any other
    // socket gets a SUBSCRIBE/CANCEL command's body as a message, as libzmq's session_base_t::push_msg passes
    // it on and its socket reads it (a ROUTER: [id, "\x09SUBSCRIBE" + topic]).
    if (event.type === "subscribe" || event.type === "cancel") {
      const kind = event.type === "subscribe" ? 1 : 0
      const type = this.#host.type
      const publisher = type === "PUB" || type === "XPUB"
      this.#pipe?.forceWrite([publisher ? subscriptionMessage(kind, event.topic) : subscriptionCommandBody(kind, event.topic)])
    }
    // A DISH's JOIN/LEAVE reach its RADIO the same way: 0x01/0x00 + group (radio_session_t).
    else if ((event.type === "join" || event.type === "leave") && this.#host.type === "RADIO") {
      this.#pipe?.forceWrite([subscriptionMessage(event.type === "join" ? 1 : 0, event.group)])
    }
  }

  engineError(_engine: ZmtpEngine | RawEngine, error: ZmtpError | Error, duringHandshake: boolean): void {
    if (!duringHandshake) return // a broken connection; 'disconnect' follows when it closes
    const event = handshakeFailure(this.#address, error)
    if (event !== undefined) this.#host.emit(event)
  }

  /** `engine` undefined: the stream closed before an engine could start on it (see `startEngine`). */
  engineClosed(engine: ZmtpEngine | RawEngine | undefined): void {
    const handshakeSucceeded = engine instanceof RawEngine || engine?.connection.peer !== undefined
    if (engine !== undefined && this.#engine === engine) this.#engine = undefined
    // ZMQ_STREAM_NOTIFY's disconnect notification (raw_engine.cpp's error()), for a peer that went away.
    if (engine instanceof RawEngine && !this.#closing && this.#host.options.notify) this.#pipe?.forceWriteFrame(EMPTY)
    // ZMQ_EVENT_DISCONNECTED comes from a connection that failed or that the peer closed
    // (stream_engine_base.cpp's error()), not from one we ended: disconnect(), unbind(), close().
    if (!this.#closing) this.#host.emit({ type: "disconnect", address: this.#address })
    const pipe = this.#pipe
    if (pipe !== undefined && handshakeSucceeded && !this.#closing) this.#notifyDropped(pipe)
    const keepPipe = this.#persistent && !this.#closing && pipeAtConnect(this.#host, this.#routingId)
    if (pipe !== undefined && !keepPipe) {
      pipe.close()
      this.#pipe = undefined
    }
    if (this.#closing && !this.waitingToFlush) this.#finish()
    else {
      // An accepted session lives only as long as its connection.
      if (!this.#persistent) this.#forgetAtExit()
      this.onEngineClosed?.(handshakeSucceeded)
    }
  }

  /**
   * The connection dropped after its handshake, and not by our doing: what libzmq hands the socket then,
   * as if the peer had sent it. ZMQ_ROUTER_NOTIFY's [routing id][empty] (stream_engine_base's error()),
   * then ZMQ_DISCONNECT_MSG on an accepted connection or ZMQ_HICCUP_MSG on one we made (session_base's
   * engine_error()).
   */
  #notifyDropped(pipe: PipeEnd): void {
    const options = this.#host.options
    if ((options.routerNotify & NOTIFY_DISCONNECT) !== 0) pipe.forceWrite([EMPTY])
    const message = this.#persistent ? options.hiccupMessage : options.disconnectMessage
    if (message !== null) pipe.forceWrite([message])
  }

  /**
   * The connecter gave up for good (ZMQ_RECONNECT_STOP): the pipe ends, with what was queued on it, and
   * the socket sees its peer gone, as libzmq's session terminates.
   */
  abandon(): void {
    if (this.#closing) return
    this.#closing = true
    const pipe = this.#pipe
    if (pipe !== undefined) pipe.close()
    if (this.#engine === undefined) this.#finish()
    else this.#engine.destroy()
  }

  // ── PipeListener (our end of the pipe) ─────────────────────────────────────────────────────────────

  pipeReadable(_end: PipeEnd): void {
    this.#engine?.requestFlush()
  }

  pipeWritable(_end: PipeEnd): void {
    this.#engine?.resume()
  }

  pipeTerminated(_end: PipeEnd): void {
    // The socket closed its end (close or disconnect): flush what it left us, within its linger.
    if (this.#closing) return
    this.#closing = true
    this.#linger(this.#host.options.linger)
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────

  #createPipe(peer: PeerIdentity | undefined): void {
    const options = this.#host.options
    const [socketEnd, sessionEnd] = PipeEnd.create(
      this.#host.listener,
      this,
      pipeLimits(this.#host.type, options),
      this.#address,
    )
    socketEnd.peer = peer
    if (this.#routingId !== undefined) socketEnd.routingId = this.#routingId
    socketEnd.resize = () => {
      const limits = pipeLimits(this.#host.type, options)
      socketEnd.setLimits(limits.aToB, limits.bToA)
    }
    this.#pipe = sessionEnd
    this.#host.attachPipe(socketEnd)
  }

  #linger(linger: number): void {
    const engine = this.#engine
    const pending = this.#pipe?.incomingCount ?? 0
    if (linger === 0 || (pending === 0 && (engine === undefined || pendingBytes(engine) === 0))) {
      if (engine === undefined) this.#finish()
      else if (linger === 0 || !engine.ready) engine.destroy()
      else engine.endWhenFlushed()
      return
    }
    // Messages wait: flush them on this connection, or on the next one (the connecter keeps trying), within
    // linger. A thread that would exit meanwhile waits for them (exit-linger.ts).
    if (engine?.ready === true) engine.endWhenFlushed()
    if (linger > 0) {
      this.#lingerTimer = setTimeout(() => {
        if (this.#engine === undefined) this.#finish()
        else this.#engine.destroy()
      }, linger)
      unrefTimer(this.#lingerTimer)
    }
    lingerAfterClose(this)
  }

  /** Closed, with messages still queued and no connection to write them on yet. */
  get waitingToFlush(): boolean {
    return this.#closing && this.#pipe !== undefined && this.#pipe.incomingCount > 0 && this.#engine?.ready !== true
  }

  #finish(): void {
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer)
    this.#forgetAtExit()
    this.#pipe = undefined
    this.onDone?.()
  }
}

const EMPTY = Buffer.alloc(0)

/** Who a raw connection's peer is: nobody ZMTP can name; it counts as a peer once connected. */
const RAW_PEER: PeerIdentity = { socketType: undefined, routingId: EMPTY, properties: new Map() }

/** Bytes an engine holds that the stream has not been given yet (the ZMTP codec's output). */
function pendingBytes(engine: ZmtpEngine | RawEngine): number {
  return engine instanceof RawEngine ? engine.pendingBytes : engine.connection.pendingBytes
}

function toPeerIdentity(peer: PeerInfo): PeerIdentity {
  const properties = new Map<string, Buffer>()
  for (const [name, value] of peer.metadata) properties.set(name.toLowerCase(), Buffer.from(value))
  return { socketType: peer.socketType, routingId: Buffer.from(peer.routingId), properties }
}
