/**
 * The Guide's chapter 1 weather client with the endpoint as an argument, so that it can subscribe through
 * wuproxy (tcp://localhost:8100) — the Guide's wuclient always connects to the weather server itself — on
 * libzmq (zeromq.js v6) or on zmq-ts:
 *
 *   node --import tsx chapter2-wuclient.ts libzmq|zmq-ts [endpoint] [filter] [updates]
 *
 * Prints the Guide's "Average temperature for zipcode '…' was …F" after `updates` (default 100) updates;
 * exits 1 if an update does not start with the filter.
 */
import * as zmq from "zeromq"
import { Subscriber } from "@zmq-ts/core"

const [library, endpoint = "tcp://localhost:5556", filter = "10001 ", count = "100"] = process.argv.slice(2)
const updates = Number(count)

/** What the client needs of a SUB socket: zeromq.js's and ours have the same API. */
interface WeatherSubscriber {
  connect(address: string): void
  subscribe(prefix: string): void
  receive(): Promise<Buffer[]>
  close(): void
}

console.log("Collecting updates from weather server...")
const subscriber: WeatherSubscriber =
  library === "zmq-ts" ? new Subscriber({ linger: 0 }) : new zmq.Subscriber({ linger: 0 })
subscriber.connect(endpoint)
subscriber.subscribe(filter)

let totalTemp = 0
for (let updateNbr = 0; updateNbr < updates; updateNbr++) {
  const [frame] = await subscriber.receive()
  const update = frame!.toString("utf8")
  if (!update.startsWith(filter)) {
    console.error(`E: update ${JSON.stringify(update)} does not match ${JSON.stringify(filter)}`)
    process.exit(1)
  }
  totalTemp += Number.parseInt(update.split(" ")[1]!, 10)
}
console.log(`Average temperature for zipcode '${filter}' was ${Math.trunc(totalTemp / updates)}F`)
subscriber.close()
