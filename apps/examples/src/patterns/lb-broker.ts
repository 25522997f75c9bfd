/**
 * lb-broker — @zmq-ts/patterns' LoadBalancingBroker and LoadBalancingWorker: the Guide's load-balancing
 * broker (chapter 3, lbbroker) in one process, over inproc, with workers joining and leaving meanwhile.
 *
 *   client (REQ) ×10 ──▶ frontend ROUTER ══ LRU queue of idle workers ══ backend ROUTER ◀── worker (REQ) ×3
 *
 * Each worker announces READY; each client's "HELLO" goes to the least recently used idle worker, whose
 * "OK" goes back to that client. Halfway, one worker leaves (LEAVE … BYE: nothing is lost) and another
 * joins. The broker's events show who served whom.
 */
import { Request } from "@zmq-ts/core"
import { s_sleep } from "@zmq-ts/zhelpers"
import { LoadBalancingBroker, LoadBalancingWorker } from "@zmq-ts/patterns"

const NBR_CLIENTS = 10
const NBR_WORKERS = 3

const served = new Map<string, number>()
const broker = new LoadBalancingBroker({
  frontend: "inproc://frontend",
  backend: "inproc://backend",
  onEvent: (event) => {
    if (event.type === "dispatch") served.set(event.worker.toString(), (served.get(event.worker.toString()) ?? 0) + 1)
    if (event.type === "worker:ready" || event.type === "worker:leave") console.log(`Broker: ${event.type} ${event.worker.toString()}`)
  },
})
await broker.start()

/** A worker: "OK" to every request, after a little work. */
async function startWorker(name: string): Promise<LoadBalancingWorker> {
  const worker = new LoadBalancingWorker({
    broker: "inproc://backend",
    requestOptions: { routingId: name },
    handler: async ([request]) => {
      await s_sleep(5 + Math.floor(Math.random() * 10))
      return `OK from ${name} to ${request!.toString()}`
    },
  })
  await worker.start()
  return worker
}

const workers = await Promise.all(Array.from({ length: NBR_WORKERS }, (_, i) => startWorker(`worker-${i}`)))

/** A client: one "HELLO", one reply (the Guide's client_task). */
async function client(id: number): Promise<void> {
  const requester = new Request({ routingId: `client-${id}` })
  requester.connect("inproc://frontend")
  await requester.send(`HELLO from client-${id}`)
  const [reply] = await requester.receive()
  console.log(`Client-${id}: ${reply!.toString()}`)
  requester.close()
}

const firstHalf = Array.from({ length: NBR_CLIENTS / 2 }, (_, i) => client(i))
//  A worker leaves and another joins while requests are in flight
const leaving = workers.shift()!.stop()
workers.push(await startWorker("worker-late"))
await Promise.all([...firstHalf, leaving])
await Promise.all(Array.from({ length: NBR_CLIENTS / 2 }, (_, i) => client(NBR_CLIENTS / 2 + i)))

console.log(`Requests per worker: ${[...served].map(([name, count]) => `${name}=${count}`).join(", ")}`)
for (const worker of workers) await worker.stop()
await broker.stop()
