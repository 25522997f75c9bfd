import { Buffer } from "#platform/buffer"
import { createSocket, type RemoteInfo, type Socket as DgramSocket } from "node:dgram"
import { lookup } from "node:dns"
import { isIP } from "node:net"
import { fromSystemError, zmqError } from "../../common/errors.js"
import { pipeLimits, PipeEnd, type PipeListener } from "../../pipes/pipe.js"
import { SharedMessage } from "../../pipes/shared-message.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import { groupDatagram, MAX_UDP_MESSAGE, peerAddressFrame, readGroupDatagram, readPeerAddress } from "./udp-datagram.js"
import type { ResolvedUdp } from "./udp-endpoint.js"

/**
 * What the engine does with its socket's messages (libzmq's udp_engine init): a RADIO sends [group, body]
 * as group datagrams, a DISH receives them, a DGRAM ("raw") does both with [address, body].
 */
export interface UdpRoles {
  readonly send: boolean
  readonly receive: boolean
  readonly raw: boolean
}

/**
 * Datagrams handed to the OS and not yet reported sent: past this the engine stops taking messages from
 * the pipe, which then fills to its high-water mark, where a RADIO drops (libzmq's lossy dist).
 */
const IN_FLIGHT_LIMIT = 1024

/**
 * libzmq's udp_engine: one node:dgram socket joined to one pipe of its socket, for the socket's life (udp
 * has no connection to lose, so nothing reconnects). No monitor events, as libzmq's udp sessions raise none.
 */
export class UdpEngine implements PipeListener {
  readonly #host: SocketHost
  readonly #roles: UdpRoles
  readonly #resolved: ResolvedUdp
  readonly #socket: DgramSocket
  /** Our end of the socket's pipe. */
  #pipe: PipeEnd | undefined
  /** Where a RADIO sends, once its name is looked up. */
  #targetHost: string | undefined
  #ready = false
  #inFlight = 0
  #closing = false
  #closed = false
  readonly #whenClosed: Promise<void>
  #resolveClosed!: () => void

  private constructor(host: SocketHost, resolved: ResolvedUdp, roles: UdpRoles) {
    this.#host = host
    this.#roles = roles
    this.#resolved = resolved
    this.#whenClosed = new Promise((resolve) => (this.#resolveClosed = resolve))
    this.#socket = createSocket({
      type: resolved.family === 6 ? "udp6" : "udp4",
      // A multicast group is listened on by every DISH of the host that joins it (libzmq: SO_REUSEADDR and
      // SO_REUSEPORT); a unicast port is ours alone, so a second bind is told EADDRINUSE.
      reuseAddr: roles.receive && resolved.group !== undefined,
      ipv6Only: false,
      // Every address we send to is an IP address already: no lookup, no tick, per datagram.
      lookup: ((address: string, _options: unknown, callback: (error: null, address: string, family: number) => void) =>
        callback(null, address, resolved.family)) as never,
    })
    // Errors outside a send (which reports its own) lose at most a datagram: udp has nothing to reset.
    this.#socket.on("error", () => {})
    if (roles.receive) this.#socket.on("message", this.#onDatagram)
  }

  /** A DISH's or DGRAM's bound socket: resolves once bound (and joined to its group), with the port bound. */
  static async bind(host: SocketHost, resolved: ResolvedUdp, roles: UdpRoles, endpoint: (port: number) => string): Promise<{ engine: UdpEngine; endpoint: string }> {
    const engine = new UdpEngine(host, resolved, roles)
    const socket = engine.#socket
    const given = endpoint(resolved.port)
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject)
        socket.bind({ port: resolved.port, address: resolved.bindHost }, () => {
          socket.off("error", reject)
          resolve()
        })
      })
      if (resolved.group !== undefined) socket.addMembership(resolved.group, resolved.multicastInterface)
      if (roles.send) engine.#setMulticastOptions()
    } catch (error) {
      engine.#destroy()
      const failure = error as NodeJS.ErrnoException
      // No such interface to join the group on: libzmq's ENODEV.
      if (failure.code === "ENODEV") throw zmqError("ENODEV", `${failure.message} (${given})`, given, failure)
      throw fromSystemError(failure, given)
    }
    const bound = endpoint(socket.address().port)
    socket.unref()
    engine.#attach(bound)
    engine.#targetHost = resolved.targetHost
    engine.#ready = true
    engine.#drain()
    return { engine, endpoint: bound }
  }

  /**
   * A RADIO's socket: its pipe is attached at once, so sends queue while the socket binds an ephemeral port
   * and a host name is looked up; then what is queued goes out.
   */
  static connect(host: SocketHost, resolved: ResolvedUdp, roles: UdpRoles, address: string): UdpEngine {
    const engine = new UdpEngine(host, resolved, roles)
    const socket = engine.#socket
    engine.#attach(address)
    // A socket that cannot even bind an ephemeral port sends nothing: what is queued is dropped, not kept.
    const failed = (): void => engine.#start(undefined)
    socket.once("error", failed)
    // Sending only: any local address, an ephemeral port (libzmq lets sendto pick them).
    socket.bind({ port: 0, address: resolved.family === 6 ? "::" : "0.0.0.0" }, () => {
      socket.off("error", failed)
      if (engine.#closed) return
      socket.unref()
      try {
        engine.#setMulticastOptions()
      } catch {
        // libzmq's engine fails and its datagrams are lost; ours go out with the kernel's defaults.
      }
      const target = resolved.targetHost
      if (isIP(target) !== 0) {
        engine.#start(target)
        return
      }
      lookup(target, { family: resolved.family }, (error, ip) => {
        if (error === null) engine.#start(ip)
        else engine.#start(undefined) // unresolvable: what is sent is dropped, as nothing can receive it
      })
    })
    return engine
  }

  /** Resolves once the socket is closed (after what was queued has been handed to the OS). */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true
      // Closed from our side (unbind): the socket hears the pipe end. When the socket closed it first, what it
      // left stays readable at our end until sent.
      const pipe = this.#pipe
      if (pipe !== undefined && !pipe.closed && !pipe.peerClosed) {
        this.#drain()
        pipe.close()
      }
      this.#drain()
      this.#finishIfIdle()
    }
    return this.#whenClosed
  }

  #attach(endpoint: string): void {
    const host = this.#host
    const [socketEnd, ours] = PipeEnd.create(host.listener, this, pipeLimits(host.type, host.options), endpoint)
    socketEnd.resize = () => {
      const limits = pipeLimits(host.type, host.options)
      socketEnd.setLimits(limits.aToB, limits.bToA)
    }
    // udp carries no JOIN or LEAVE: a RADIO sends this pipe every group (libzmq's subscribe_to_all).
    socketEnd.subscribeToAll = true
    // A DGRAM's peers are whoever sends a datagram: no socket type.
    const peerType = host.type === "RADIO" ? "DISH" : host.type === "DISH" ? "RADIO" : undefined
    socketEnd.peer = { socketType: peerType, routingId: EMPTY, properties: new Map() }
    this.#pipe = ours
    host.attachPipe(socketEnd)
  }

  #start(target: string | undefined): void {
    this.#targetHost = target
    this.#ready = true
    this.#drain()
    this.#finishIfIdle()
  }

  /** ZMQ_MULTICAST_LOOP, ZMQ_MULTICAST_HOPS and the interface, on a socket that sends to a group. */
  #setMulticastOptions(): void {
    const resolved = this.#resolved
    if (resolved.group === undefined || this.#roles.raw) return
    const options = this.#host.options
    this.#socket.setMulticastLoopback(options.multicastLoop)
    if (options.multicastHops > 0) this.#socket.setMulticastTTL(Math.min(options.multicastHops, 255))
    if (resolved.multicastInterface !== undefined) this.#socket.setMulticastInterface(resolved.multicastInterface)
  }

  /** Takes what the socket queued: datagrams out (a RADIO's, a DGRAM's), or JOIN/LEAVE dropped (a DISH's). */
  #drain(): void {
    const pipe = this.#pipe
    if (pipe === undefined || !this.#ready || this.#closed) return
    const roles = this.#roles
    while (this.#inFlight < IN_FLIGHT_LIMIT) {
      const read = pipe.readForWire()
      if (read === undefined) return
      const message = read instanceof SharedMessage ? read.frames : read
      // A one-frame message is a DISH's JOIN or LEAVE (udp carries none: libzmq's restart_output drops them).
      if (!roles.send || !Array.isArray(message) || message.length !== 2) continue
      if (roles.raw) this.#sendRaw(message[0]!, message[1]!)
      else this.#sendGroup(message[0]!, message[1]!)
    }
  }

  #sendGroup(group: Buffer, body: Buffer): void {
    const target = this.#targetHost
    const datagram = groupDatagram(group, body)
    if (target === undefined || datagram === undefined) return
    this.#inFlight++
    this.#socket.send(datagram, this.#resolved.port, target, this.#afterSend)
  }

  #sendRaw(address: Buffer, body: Buffer): void {
    const to = readPeerAddress(address)
    if (to === undefined || body.length > MAX_UDP_MESSAGE) return
    let host = to.host
    if (this.#resolved.family === 4 && isIP(host) === 6) return
    if (this.#resolved.family === 6 && isIP(host) === 4) host = `::ffff:${host}`
    this.#inFlight++
    this.#socket.send(body, to.port, host, this.#afterSend)
  }

  readonly #afterSend = (): void => {
    // A datagram that could not be sent is lost, as udp loses them; the next ones still go.
    const wasFull = this.#inFlight >= IN_FLIGHT_LIMIT
    this.#inFlight--
    if (wasFull) this.#drain()
    this.#finishIfIdle()
  }

  readonly #onDatagram = (datagram: Buffer, from: RemoteInfo): void => {
    const pipe = this.#pipe
    if (pipe === undefined || this.#closed) return
    if (this.#roles.raw) {
      if (datagram.length > MAX_UDP_MESSAGE) return
      pipe.write([peerAddressFrame(from.address, from.port), datagram])
      return
    }
    // Bad datagrams are dropped whole; a full pipe drops too (libzmq's in_event).
    const parts = readGroupDatagram(datagram)
    if (parts !== undefined) pipe.write(parts)
  }

  /** Closing, and nothing left in flight: the socket goes. */
  #finishIfIdle(): void {
    if (!this.#closing || this.#closed || this.#inFlight > 0) return
    if (!this.#ready && this.#roles.send && this.#pipe?.hasIncoming === true) return // sent once ready
    this.#destroy()
  }

  #destroy(): void {
    if (this.#closed) return
    this.#closed = true
    const done = this.#resolveClosed
    try {
      this.#socket.close(done)
    } catch {
      done() // never bound, or closed already
    }
  }

  // ── PipeListener (our end of the socket's pipe) ──────────────────────────────────────────────────────

  pipeReadable(): void {
    this.#drain()
  }

  pipeWritable(): void {}

  /** The socket closed its end (close, unbind, disconnect): send what it left, then close. */
  pipeTerminated(): void {
    this.#drain()
    if (!this.#closing) {
      this.#closing = true
      this.#finishIfIdle()
    }
  }
}

const EMPTY = Buffer.alloc(0)

/** The error for a socket type the udp transport does not serve in this role (libzmq's check). */
export function incompatible(type: string, role: "bind" | "connect", address: string): Error {
  const allowed = role === "bind" ? "DISH and DGRAM bind" : "RADIO connects"
  return zmqError("ENOCOMPATPROTO", `${type} cannot ${role} over udp: ${allowed}`, address)
}
