/**
 * syncpub — the Guide, chapter 2, "Node Coordination": synchronized publisher.
 *
 *   syncsub ×10:  SUB ──connect──▶ tcp://*:5561 PUB      (1,000,000 × "Rhubarb", then "END")
 *                 REQ ──connect──▶ tcp://*:5562 REP      (one empty request and reply per subscriber)
 *
 * Waits until SUBSCRIBERS_EXPECTED subscribers have said they are ready, then broadcasts exactly 1M updates
 * followed by END. The publisher has no high-water mark (0), so no update is dropped for a slow subscriber.
 * The two lines it prints are those of the Guide's C version (the C++ listing prints nothing).
 * ZMQ_TS_SUBSCRIBERS and ZMQ_TS_UPDATES lower the two numbers (tests use them); the defaults are the Guide's.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { Publisher, Reply } from "@zmq-ts/core"
import { s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"

//  We wait for 10 subscribers
const SUBSCRIBERS_EXPECTED = Number(process.env.ZMQ_TS_SUBSCRIBERS ?? 10)
const UPDATES = Number(process.env.ZMQ_TS_UPDATES ?? 1_000_000)

//  Socket to talk to clients
const publisher = new Publisher({ sendHighWaterMark: 0 })
await publisher.bind("tcp://*:5561")

//  Socket to receive signals
const syncservice = new Reply()
await syncservice.bind("tcp://*:5562")

//  Get synchronization from subscribers
console.log("Waiting for subscribers")
let subscribers = 0
while (subscribers < SUBSCRIBERS_EXPECTED) {
  //  - wait for synchronization request
  await s_recv(syncservice)
  //  - send synchronization reply
  await s_send(syncservice, "")
  subscribers++
}

//  Now broadcast exactly 1M updates followed by END
console.log("Broadcasting messages")
for (let updateNbr = 0; updateNbr < UPDATES; updateNbr++) {
  await s_send(publisher, "Rhubarb")
  // libzmq's I/O thread writes while the application sends; ours shares this thread, so let it write now
  // and then instead of queueing all million updates in memory first.
  if (updateNbr % 1000 === 999) await yieldToEventLoop()
}
await s_send(publisher, "END")

await s_sleep(1000) //  Give 0MQ time to flush output
publisher.close()
syncservice.close()
