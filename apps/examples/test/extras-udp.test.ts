/**
 * The udp example end to end, as a reader runs it (`pnpm example udp-radio-dish`): one process, a DISH bound
 * to udp://*:5556 that joined "weather" and a RADIO sending weather and sports updates; it prints the five
 * weather updates, none of the sports ones, and exits by itself.
 */
import { afterEach, expect, it } from "vitest"
import { startExample, stopAll } from "./helpers/spawn-example.js"

afterEach(async () => {
  await stopAll()
})

it("udp-radio-dish prints the joined group's updates only, in order, and exits 0", async () => {
  const example = startExample("udp-radio-dish")
  expect(await example.exited(20_000)).toBe(0)
  expect(example.lines.filter((line) => line.length > 0)).toEqual([18, 19, 20, 21, 22].map((t) => `weather: ${t} °C in Brussels`))
  expect(example.stderr()).toBe("")
})
