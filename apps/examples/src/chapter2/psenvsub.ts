/**
 * psenvsub — the Guide, chapter 2, "Pub-Sub Message Envelopes": pubsub envelope subscriber.
 *
 * Connects SUB to tcp://localhost:5563 and subscribes to "B" only: the prefix match applies to the first
 * frame, the envelope, and the filter accepts or rejects the whole message, so it prints
 * "[B] We would like to see this" and never the A messages.
 */
import { Subscriber } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_recv } from "@zmq-ts/zhelpers"

//  Prepare our subscriber
const subscriber = new Subscriber()
subscriber.connect("tcp://localhost:5563")
subscriber.subscribe("B")

s_catch_signals()
try {
  while (true) {
    //  Read envelope with address
    const address = await s_recv(subscriber)
    //  Read message contents
    const contents = await s_recv(subscriber)
    console.log(`[${address}] ${contents}`)
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
subscriber.close()
