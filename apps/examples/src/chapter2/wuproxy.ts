/**
 * wuproxy — the Guide, chapter 2, "Transport Bridging": weather proxy device.
 *
 *   wuserver (PUB tcp://*:5556) ◀── XSUB ══ Proxy ══ XPUB tcp://*:8100 ◀── subscribers
 *
 * The frontend faces the internal network where the weather server sits; the backend is our public
 * endpoint for subscribers. As the Guide's C version, it uses XSUB/XPUB with zmq_proxy (our `Proxy`), so
 * subscriptions travel upstream and the weather server filters for our subscribers; the Guide's C++
 * listing does the same job with SUB (subscribed to everything) and PUB and a hand-written loop.
 *
 * The Guide connects to tcp://192.168.55.210:5556 and binds tcp://10.1.1.0:8100: addresses of the author's
 * two networks, which exist on no other machine (binding 10.1.1.0 fails with EADDRNOTAVAIL). Here the
 * weather server is the one on this machine, tcp://localhost:5556, and the backend binds every interface,
 * tcp://*:8100. On a machine with two networks, put the weather server's address and your public
 * interface's address back.
 */
import { Proxy, XPublisher, XSubscriber } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

//  This is where the weather server sits
const frontend = new XSubscriber()
frontend.connect("tcp://localhost:5556")

//  This is our public endpoint for subscribers
const backend = new XPublisher()
await backend.bind("tcp://*:8100")

//  Run the proxy until the user interrupts us
s_catch_signals()
try {
  await new Proxy(frontend, backend).run()
} catch (error) {
  if (!isInterrupted(error)) throw error
}
frontend.close()
backend.close()
