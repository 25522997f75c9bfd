import type { Buffer } from "#platform/buffer"
import type { MessagePort } from "node:worker_threads"
import { MessageChannel } from "#platform/threads"
import { isCompatibleSocketType } from "@zmq-ts/zmtp"
import type { PipeEnd } from "../../pipes/pipe.js"
import { pipeAtConnect, type SocketHost } from "../../pipes/socket-host.js"
import type { ThreadLink } from "../threads/thread-link.js"
import { peerIdentityOf, receiveCredit, ThreadPipe, wirePeerOf, type WirePeer } from "../threads/thread-pipe.js"
import type { TransportConnection } from "../transport.js"
import type { InprocEndpoint } from "./inproc-endpoint.js"

/**
 * A connect that may be answered by another thread: the pipe's far end goes to the hub, which hands it to
 * whichever thread binds the name. Sends queue on the pipe meanwhile, as with a same-thread early pipe.
 */
export function connectAcrossThreads(
  host: SocketHost,
  endpoint: InprocEndpoint,
  routingId: Buffer | undefined,
  link: ThreadLink,
  early?: PipeEnd,
): TransportConnection & { readonly pipe: ThreadPipe } {
  const { port1, port2 } = new MessageChannel()
  const pipe = new ThreadPipe(host, endpoint.address, port1)
  if (early !== undefined) pipe.adopt(early)
  else if (pipeAtConnect(host, routingId)) pipe.attach(undefined, routingId)
  let introduced = false
  pipe.onHello = (peer) => {
    introduced = true
    const identity = peerIdentityOf(peer)
    if (pipe.attached) pipe.setPeer(identity)
    else if (!host.closed) pipe.attach(identity, routingId)
  }
  // As on one thread, inproc raises no monitor events (libzmq has none for it): a refused peer type is silent.
  pipe.onDone = () => {
    if (!introduced) link.cancel(id)
  }
  const id = link.connect(endpoint.name, port2, wirePeerOf(host), receiveCredit(host))
  return {
    pipe,
    close: () => {
      // A pipe the socket holds ends when the socket closes its end (flushing within linger); one it never
      // got (ROUTER before the peer appeared) ends here.
      if (!pipe.attached) pipe.abort()
    },
  }
}

/** A connect from another thread reached `name`, bound here by `binder` (undefined: unbound meanwhile). */
export function acceptFromThread(
  binder: SocketHost | undefined,
  name: string,
  port: MessagePort,
  peer: WirePeer,
  credit: number,
): void {
  const address = `inproc://${name}`
  if (binder === undefined || binder.closed) {
    port.close() // unbound meanwhile: the connecter sees the pipe end
    return
  }
  const pipe = new ThreadPipe(binder, address, port)
  if (!isCompatibleSocketType(peer.socketType, binder.type)) {
    pipe.refuse(`inproc peer socket type ${binder.type} cannot talk to ${peer.socketType}`)
    return
  }
  pipe.attach(peerIdentityOf(peer), undefined)
  pipe.hello(credit)
}
