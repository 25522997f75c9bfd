import { RECONNECT_STOP_HANDSHAKE_FAILED } from "../common/options.js"
import type { StreamSession } from "../engine/stream-session.js"
import type { SocketHost } from "../pipes/socket-host.js"
import { unrefTimer } from "#platform/timers"
import { reconnectIntervals } from "./reconnect-intervals.js"
import type { TransportConnection } from "./transport.js"

/** What a connecter's attempts see of the loop that schedules them. */
export interface ReconnectLoop {
  /** False once stopped, and once the socket is closed unless it lingers with messages still queued. */
  active(): boolean
  /** libzmq's add_reconnect_timer: the next attempt after the next interval, with `connect:retry`. */
  scheduleReconnect(): void
  /** No attempt after this one (a reconnectStop condition, or an endpoint the platform refuses). */
  stop(): void
  /** The connection the transport hands the socket: `close()` stops the loop, after linger when messages wait. */
  readonly connection: TransportConnection
}

/**
 * The lifecycle every connecter shares (the stream one for tcp, ipc and ws on Node, the browser's
 * WebSocket one): one persistent session, attempts retried after reconnectInterval as libzmq 4.3.5's
 * stream_connecter_base.cpp, a new interval sequence after each engine ends (session_base.cpp's
 * reconnect()), reconnectStop's HANDSHAKE_FAILED, and a close that keeps connecting within linger while
 * messages are queued. `attempt` makes one attempt; `abortAttempt` drops the one in progress at close.
 */
export function reconnectLoop(
  host: SocketHost,
  session: StreamSession,
  address: string,
  attempt: () => void,
  abortAttempt: () => void,
): ReconnectLoop {
  const options = host.options
  let stopped = false
  /** Closed with messages still queued: keep trying to connect, within linger. */
  let lingering = false
  const active = (): boolean => !stopped && (lingering || !host.closed)
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let reconnect = reconnectIntervals()

  // Nothing with ZMQ_RECONNECT_IVL ≤ 0: libzmq 4.3.5 never reconnects then.
  const scheduleReconnect = (): void => {
    if (!active() || options.reconnectInterval <= 0) return
    const interval = reconnect(options.reconnectInterval, options.reconnectMaxInterval)
    host.emit({ type: "connect:retry", address, interval })
    // Connecting holds nothing open: a waiting operation does (keep-alive.ts), or queued messages at exit.
    retryTimer = unrefTimer(
      setTimeout(() => {
        retryTimer = undefined
        attempt()
      }, interval),
    )
  }

  session.onEngineClosed = (handshakeSucceeded) => {
    if (!handshakeSucceeded && (options.reconnectStop & RECONNECT_STOP_HANDSHAKE_FAILED) !== 0) {
      stopped = true
      session.abandon()
      return
    }
    reconnect = reconnectIntervals()
    scheduleReconnect()
  }

  return {
    active,
    scheduleReconnect,
    stop: () => {
      stopped = true
    },
    connection: {
      close: () => {
        session.stop()
        const stop = (): void => {
          stopped = true
          if (retryTimer !== undefined) clearTimeout(retryTimer)
          if (session.engine === undefined) abortAttempt()
        }
        if (!session.waitingToFlush) {
          stop()
          return
        }
        lingering = true
        session.onDone = stop
      },
    },
  }
}
