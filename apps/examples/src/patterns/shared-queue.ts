/**
 * shared-queue — @zmq-ts/patterns' RequestReplyBroker: the Guide's rrclient → rrbroker → rrworker (chapter
 * 2, "Shared Queue (DEALER and ROUTER sockets)") in one process, over tcp://127.0.0.1, with workers and
 * clients coming and going.
 *
 *   rrclient (REQ) ×2 ──▶ ROUTER ══ RequestReplyBroker ══ DEALER ◀── rrworker (REP) ×2, then a third
 *
 * Every request is answered "World" by whichever worker the DEALER picked, and each reply goes back to the
 * client that asked. `message-queue` is the same with zmq_proxy (Proxy) in the middle.
 */
import { Reply, Request } from "@zmq-ts/core"
import { RequestReplyBroker } from "@zmq-ts/patterns"

const broker = new RequestReplyBroker({ frontend: "tcp://127.0.0.1:*", backend: "tcp://127.0.0.1:*" })
await broker.start()
const [frontend, backend] = [broker.frontendEndpoints[0]!, broker.backendEndpoints[0]!]

/** The Guide's rrworker: "World" for every "Hello", until closed. */
function worker(name: string): Reply {
  const responder = new Reply()
  responder.connect(backend)
  void (async () => {
    for await (const [request] of responder) await responder.send(`World from ${name} (${request!.toString()})`)
  })()
  return responder
}

/** The Guide's rrclient: a few requests, one at a time. */
async function client(name: string, requests: number): Promise<void> {
  const requester = new Request()
  requester.connect(frontend)
  for (let request = 0; request < requests; request++) {
    await requester.send(`Hello ${name}-${request}`)
    const [reply] = await requester.receive()
    console.log(`${name}: received reply ${request} [${reply!.toString()}]`)
  }
  requester.close()
}

const first = worker("worker-1")
const second = worker("worker-2")
await Promise.all([client("client-A", 3), client("client-B", 3)])

//  Workers come and go: one leaves, another joins; a new client arrives
first.close()
const third = worker("worker-3")
await client("client-C", 4)

second.close()
third.close()
await broker.stop()
