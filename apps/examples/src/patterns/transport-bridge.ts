/**
 * transport-bridge — @zmq-ts/patterns' TransportBridge: the Guide's weather proxy (chapter 2, "Transport
 * Bridging") in one process. The weather server publishes on tcp://127.0.0.1 ("the internal network"); the
 * bridge republishes on inproc ("the external network"), where a weather client subscribes to one zip code.
 *
 *   weather server XPUB (tcp) ──▶ XSUB ══ TransportBridge ══ XPUB (inproc://weather) ──▶ weather client SUB
 *                             ◀──────── the subscription to "10001 " travels back up ◀──────────┘
 *
 * The server is an XPUB only so that it can show the subscription arriving through the bridge; the client
 * collects 20 updates, each a two-frame message [zipcode, "temperature relhumidity"] that crosses whole.
 */
import { Subscriber, XPublisher } from "@zmq-ts/core"
import { TransportBridge } from "@zmq-ts/patterns"

const ZIPCODE = "10001 "
const UPDATES = 20

//  The weather server, on the internal network
const server = new XPublisher()
await server.bind("tcp://127.0.0.1:*")

//  The bridge: subscribes upstream for its subscribers, republishes downstream
const bridge = new TransportBridge({ upstream: { connect: server.lastEndpoint! }, downstream: "inproc://weather" })
await bridge.start()

//  The weather client, on the external network
const client = new Subscriber()
client.connect("inproc://weather")
client.subscribe(ZIPCODE)

const [subscription] = await server.receive()
console.log(`Weather server: a subscription to ${JSON.stringify(subscription!.subarray(1).toString())} came through the bridge`)

const publishing = (async () => {
  while (!client.closed) {
    const zipcode = `${10000 + Math.floor(Math.random() * 4)} `
    const temperature = Math.floor(Math.random() * 215) - 80
    const relhumidity = Math.floor(Math.random() * 50) + 10
    await server.send([zipcode, `${temperature} ${relhumidity}`])
    await new Promise((resolve) => setImmediate(resolve))
  }
})()

let total = 0
for (let update = 0; update < UPDATES; update++) {
  const [zipcode, reading] = await client.receive()
  total += Number(reading!.toString().split(" ")[0])
  if (zipcode!.toString() !== ZIPCODE) throw new Error(`got ${zipcode!.toString()}: the filter leaked`)
}
console.log(`Average temperature for zipcode '${ZIPCODE.trim()}' was ${Math.round(total / UPDATES)}F (${UPDATES} updates through the bridge)`)

client.close()
await publishing
await bridge.stop()
server.close()
