/**
 * udp-radio-dish: RADIO/DISH group messaging over udp (libzmq's draft udp transport), both ends in one
 * program. The DISH binds udp://*:5556 and joins "weather"; the RADIO connects to it and sends weather and
 * sports updates as single datagrams ([group length][group][body]); only the weather ones are printed.
 * udp loses what is sent before anything listens, and the DISH filters by group itself.
 */
import { Dish, Radio } from "@zmq-ts/core/draft"

const UPDATES = 5

async function main(): Promise<void> {
  const dish = new Dish()
  await dish.bind("udp://*:5556")
  dish.join("weather")

  const radio = new Radio()
  radio.connect("udp://127.0.0.1:5556")

  const received = (async () => {
    for (let i = 0; i < UPDATES; i++) {
      const [body, { group }] = await dish.receive()
      console.log(`${group.toString()}: ${body.toString()}`)
    }
  })()
  for (let i = 0; i < UPDATES; i++) {
    await radio.send(`goal ${i + 1}`, { group: "sports" }) // nobody joined "sports": dropped by the DISH
    await radio.send(`${18 + i} °C in Brussels`, { group: "weather" })
  }
  await received
  radio.close()
  dish.close()
}

await main()
