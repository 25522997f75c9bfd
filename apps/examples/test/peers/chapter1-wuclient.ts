/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 wuclient, with the endpoint as a second argument so it
 * can also subscribe over wuserver's ipc://weather.ipc:
 *
 *   chapter1-wuclient.ts [filter = "10001 "] [endpoint = tcp://localhost:5556]
 *
 * Prints "Average temperature for zipcode '…' was …F" after 100 updates; exits 1 on an update that does not
 * start with the filter or is not "zipcode temperature relhumidity".
 */
import * as zmq from "zeromq"

const [filter = "10001 ", endpoint = "tcp://localhost:5556"] = process.argv.slice(2)

console.log("Collecting updates from weather server...")
const subscriber = new zmq.Subscriber({ linger: 0 })
subscriber.connect(endpoint)
subscriber.subscribe(filter)

let updateNbr: number
let totalTemp = 0
for (updateNbr = 0; updateNbr < 100; updateNbr++) {
  const [frame] = await subscriber.receive()
  const update = frame!.toString("utf8")
  if (!update.startsWith(filter) || !/^\d{5} -?\d+ \d+$/.test(update)) {
    console.error(`E: unexpected update ${JSON.stringify(update)} for filter ${JSON.stringify(filter)}`)
    process.exit(1)
  }
  totalTemp += Number.parseInt(update.split(" ")[1]!, 10)
}
console.log(`Average temperature for zipcode '${filter}' was ${Math.trunc(totalTemp / updateNbr)}F`)
subscriber.close()
