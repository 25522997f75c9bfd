import { zmqError } from "../../common/errors.js"

/** `inproc://name`: any non-empty name, unique among a context's bindings. */
export interface InprocEndpoint {
  readonly address: string
  readonly name: string
}

export function parseInprocEndpoint(address: string, rest: string): InprocEndpoint {
  if (rest.length === 0) throw zmqError("EINVAL", "inproc endpoint needs a name", address)
  return { address, name: rest }
}
