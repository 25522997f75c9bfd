/**
 * The two implementations of the zeromq.js v6 API: zmq-ts and zeromq.js itself (the native binding). Every
 * tool runs the very same code against either, so the comparison is of the libraries, not of the tools.
 */
export type Zmq = typeof import("@zmq-ts/core")

export const ZMQ_IMPLEMENTATIONS = ["zmq-ts", "zeromq.js"] as const
export type ZmqImplementation = (typeof ZMQ_IMPLEMENTATIONS)[number]

export async function loadZmq(name: string): Promise<Zmq> {
  if (name === "zmq-ts") return await import("@zmq-ts/core")
  // The same API, typed separately: the shapes the tools use (sockets, send/receive, options) match.
  if (name === "zeromq.js") return (await import("zeromq")) as unknown as Zmq
  throw new Error(`unknown implementation ${JSON.stringify(name)}`)
}
