/**
 * rrclient — the Guide, chapter 2, "Shared Queue (DEALER and ROUTER sockets)": request-reply client.
 *
 * Connects a REQ socket to tcp://localhost:5559 (the broker's frontend: rrbroker or msgqueue), sends "Hello"
 * ten times and expects "World" back each time.
 */
import { Request } from "@zmq-ts/core"
import { s_recv, s_send } from "@zmq-ts/zhelpers"

const requester = new Request()
requester.connect("tcp://localhost:5559")

for (let request = 0; request < 10; request++) {
  await s_send(requester, "Hello")
  const string = await s_recv(requester)
  console.log(`Received reply ${request} [${string}]`)
}
requester.close()
