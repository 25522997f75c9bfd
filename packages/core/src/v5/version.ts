import { version } from "@zmq-ts/core"

export { version }

/** v5's `zmq.zmqVersion()`: the libzmq version zmq-ts behaves as, "major.minor.patch". */
export function zmqVersion(): string {
  return version
}
