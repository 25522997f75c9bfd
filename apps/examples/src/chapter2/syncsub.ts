/**
 * syncsub — the Guide, chapter 2, "Node Coordination": synchronized subscriber.
 *
 * Subscribes to everything on tcp://localhost:5561, then tells syncpub it is ready over REQ/REP
 * (tcp://localhost:5562), counts the updates until "END" and reports how many it got. As the Guide
 * explains, the SUB connect may not be finished when the REQ/REP dialog is, so it waits a second in between
 * (the sleep of the Guide's C version).
 */
import { Request, Subscriber } from "@zmq-ts/core"
import { s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"

//  First, connect our subscriber socket
const subscriber = new Subscriber()
subscriber.connect("tcp://localhost:5561")
subscriber.subscribe("")

//  0MQ is so fast, we need to wait a while…
await s_sleep(1000)

//  Second, synchronize with publisher
const syncclient = new Request()
syncclient.connect("tcp://localhost:5562")

//  - send a synchronization request
await s_send(syncclient, "")

//  - wait for synchronization reply
await s_recv(syncclient)

//  Third, get our updates and report how many we got
let updateNbr = 0
while (true) {
  if ((await s_recv(subscriber)) === "END") break
  updateNbr++
}
console.log(`Received ${updateNbr} updates`)
subscriber.close()
syncclient.close()
