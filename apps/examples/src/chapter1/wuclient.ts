/**
 * wuclient — Guide chapter 1, "Getting the Message Out": the weather update client. Connects a SUB socket to
 * tcp://localhost:5556, subscribes to one zipcode (the first argument, default NYC's "10001 ") and prints the
 * average temperature of 100 updates. Zipcodes run from 00000 to 99999, so the default filter matches one
 * update in 100,000; a shorter prefix such as "1" matches one in ten.
 */
import { Subscriber } from "@zmq-ts/core"
import { s_recv } from "@zmq-ts/zhelpers"

//  Socket to talk to server
console.log("Collecting updates from weather server...")
const subscriber = new Subscriber()
subscriber.connect("tcp://localhost:5556")

//  Subscribe to zipcode, default is NYC, 10001
const filter = process.argv[2] ?? "10001 "
subscriber.subscribe(filter)

//  Process 100 updates
let updateNbr: number
let totalTemp = 0
for (updateNbr = 0; updateNbr < 100; updateNbr++) {
  const string = await s_recv(subscriber)
  //  "zipcode temperature relhumidity": only the temperature counts
  const [, temperature = 0] = string.split(" ").map((field) => Number.parseInt(field, 10))
  totalTemp += temperature
}
console.log(`Average temperature for zipcode '${filter}' was ${Math.trunc(totalTemp / updateNbr)}F`)

subscriber.close()
