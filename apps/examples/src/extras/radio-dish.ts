/**
 * radio-dish: group messaging with the draft RADIO and DISH sockets (RFC 48), in one process over tcp. A
 * radio broadcasts to three groups; one dish joins "weather", another "weather" and "sports"; each receives
 * exactly its groups' messages, each with its group. Then the second dish leaves "weather". Exits 0.
 */
import { Dish, Radio } from "@zmq-ts/core/draft"

const radio = new Radio()
await radio.bind("tcp://127.0.0.1:*")
const endpoint = radio.lastEndpoint!

const first = new Dish()
first.join("weather")
const second = new Dish()
second.join("weather", "sports")
for (const dish of [first, second]) dish.connect(endpoint)

/** A JOIN takes a round trip to reach the radio: send a probe until each dish has one, then drop the probes. */
async function waitForJoins(group: string, dishes: Dish[]): Promise<void> {
  while (!dishes.every((dish) => dish.readable)) {
    await radio.send("probe", { group })
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  for (const dish of dishes) while (dish.readable) await dish.receive()
}

async function show(name: string, dish: Dish, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const [message, { group }] = await dish.receive()
    console.log(`${name} got [${group.toString()}] ${message.toString()}`)
  }
}

await waitForJoins("weather", [first, second])
await waitForJoins("sports", [second])
await radio.send("rain at noon", { group: "weather" })
await radio.send("3-1", { group: "sports" })
await radio.send("elections", { group: "news" }) // nobody joined: never sent
await show("dish 1", first, 1)
await show("dish 2", second, 2)

second.leave("weather")
// The LEAVE travels up as the messages travel down: once "sports" is heard, the radio has seen it.
await radio.send("sun", { group: "weather" })
await radio.send("2-2", { group: "sports" })
await show("dish 1", first, 1)
await show("dish 2", second, 1)

for (const socket of [radio, first, second]) socket.close()
