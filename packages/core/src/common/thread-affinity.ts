/**
 * Sockets and contexts belong to the thread that made them (as libzmq sockets do). JavaScript objects cannot
 * be shared between worker threads, only cloned, and a clone of a socket would be a dead copy. So each one
 * carries a Symbol, which the structured clone algorithm refuses: `postMessage(socket)` or `workerData:
 * { socket }` fails at once with a DataCloneError whose message says what to do instead.
 */
export function bindToThread(target: object, what: string, instead: string): void {
  Object.defineProperty(target, "threadBound", {
    value: Symbol(`zmq-ts: a ${what} belongs to the thread that created it and cannot be sent to another thread; ${instead}`),
    enumerable: true,
  })
}
