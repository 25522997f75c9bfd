/**
 * The messages between a `LoadBalancingBroker` and its workers, after the REQ envelope (worker → broker
 * arrives as `[worker id, "", …]` at the backend ROUTER):
 *
 *   worker → broker   ["READY"]                      idle, give me a request (the Guide's lbbroker)
 *   broker → worker   [client id, "", request…]       a request to answer
 *   worker → broker   [client id, "", reply…]         the answer; the worker is idle again
 *   worker → broker   ["LEAVE"]                      take me off the idle list (zmq-ts extension)
 *   broker → worker   ["BYE"]                        you hold no request and will get none: close
 *
 * A worker that leaves sends LEAVE and keeps answering until BYE, so a request already on its way to it is
 * answered, never lost. Workers speaking only the Guide's READY protocol work too (they just never leave
 * gracefully).
 */
export const WorkerSignal = {
  ready: "READY",
  leave: "LEAVE",
  bye: "BYE",
} as const

export type WorkerSignal = (typeof WorkerSignal)[keyof typeof WorkerSignal]

/** @internal */
export const READY_FRAME = Buffer.from(WorkerSignal.ready)
/** @internal */
export const LEAVE_FRAME = Buffer.from(WorkerSignal.leave)
/** @internal */
export const BYE_FRAME = Buffer.from(WorkerSignal.bye)
/** @internal */
export const EMPTY_FRAME = Buffer.alloc(0)
