import type { Observer, SocketEvent, SocketEventType } from "@zmq-ts/core"
import { compatError } from "./errors.js"

/**
 * Monitor events under v5's names (`sock.monitor(); sock.on("accept", (value, address) => …)`), read from
 * the v6 socket's `events`. Handshake events have no v5 name and are not passed on, as in zeromq.js.
 */
export const events = Object.freeze({
  1: "connect", // ZMQ_EVENT_CONNECTED
  2: "connect_delay", // ZMQ_EVENT_CONNECT_DELAYED
  4: "connect_retry", // ZMQ_EVENT_CONNECT_RETRIED
  8: "listen", // ZMQ_EVENT_LISTENING
  16: "bind_error", // ZMQ_EVENT_BIND_FAILED
  32: "accept", // ZMQ_EVENT_ACCEPTED
  64: "accept_error", // ZMQ_EVENT_ACCEPT_FAILED
  128: "close", // ZMQ_EVENT_CLOSED
  256: "close_error", // ZMQ_EVENT_CLOSE_FAILED
  512: "disconnect", // ZMQ_EVENT_DISCONNECTED
} as const)

export type MonitorEventName = (typeof events)[keyof typeof events]

/**
 * A monitor event's arguments: `value` is the retry interval for `connect_retry` and the errno for the
 * `*_error` events (undefined otherwise: there are no file descriptors to report); `error` is the Error
 * of the `*_error` events.
 */
export type MonitorEventArguments = [value: number | undefined, address: string, error: Error | undefined]

type Deliver = (name: MonitorEventName, ...args: MonitorEventArguments) => void

const NAMES: ReadonlyArray<readonly [SocketEventType, MonitorEventName]> = [
  ["connect", "connect"],
  ["connect:delay", "connect_delay"],
  ["connect:retry", "connect_retry"],
  ["bind", "listen"],
  ["bind:error", "bind_error"],
  ["accept", "accept"],
  ["accept:error", "accept_error"],
  ["close", "close"],
  ["close:error", "close_error"],
  ["disconnect", "disconnect"],
]

function argumentsOf(event: SocketEvent): MonitorEventArguments | undefined {
  if (event.type === "end") return undefined
  if ("error" in event) {
    const error = compatError(event.error)
    const errno = (error as { errno?: unknown }).errno
    return [typeof errno === "number" ? errno : 0, event.address, error]
  }
  if (event.type === "connect:retry") return [event.interval, event.address, undefined]
  return [undefined, event.address, undefined]
}

/**
 * Passes `observer`'s events to `deliver` under their v5 names until the returned function is called or
 * the socket ends. Each event is delivered on the next tick: the socket raises some of them inside
 * `bind()`/`connect()` (inproc always does), and a listener must not run inside those calls.
 */
export function watchMonitorEvents(observer: Observer, deliver: Deliver): () => void {
  let active = true
  const subscriptions: Array<() => void> = []
  const unsubscribeAll = (): void => {
    for (const unsubscribe of subscriptions.splice(0)) unsubscribe()
  }
  for (const [type, name] of NAMES) {
    const listener = (event: SocketEvent): void => {
      const args = argumentsOf(event)
      if (args === undefined) return
      process.nextTick(() => {
        if (active) deliver(name, ...args)
      })
    }
    observer.on(type, listener)
    subscriptions.push(() => observer.off(type, listener))
  }
  // At the end no more events come; those already queued (the socket's last disconnects) still arrive.
  observer.on("end", unsubscribeAll)
  subscriptions.push(() => observer.off("end", unsubscribeAll))
  return () => {
    active = false
    unsubscribeAll()
  }
}
