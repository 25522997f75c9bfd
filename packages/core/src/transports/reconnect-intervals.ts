// The interval sequence of reconnect-loop.ts, which the stream connecter (tcp, ipc, ws on Node) and the browser's WebSocket connecter share.

/** The largest interval libzmq computes (INT_MAX ms), which is also the longest setTimeout. */
const MAX_INTERVAL = 2 ** 31 - 1

/**
 * libzmq 4.3.5's get_new_reconnect_ivl, for one connecter: with ZMQ_RECONNECT_IVL_MAX set, the interval
 * starts at ZMQ_RECONNECT_IVL and doubles at each retry up to the maximum; without it, each retry waits
 * ZMQ_RECONNECT_IVL plus a random jitter below ZMQ_RECONNECT_IVL.
 */
export function reconnectIntervals(): (interval: number, maxInterval: number) => number {
  let current = -1
  return (interval, maxInterval) => {
    if (maxInterval > 0) {
      const candidate = current === -1 ? interval : current > MAX_INTERVAL / 2 ? MAX_INTERVAL : current * 2
      current = Math.min(candidate, maxInterval)
      return current
    }
    if (current === -1) current = interval
    const jitter = Math.floor(Math.random() * interval)
    return Math.min(current + jitter, MAX_INTERVAL)
  }
}
