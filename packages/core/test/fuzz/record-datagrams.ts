/**
 * Records the datagrams a real libzmq RADIO (4.3.5, zeromq.js's draft build) sends over udp (RFC 48:
 * [group length][group][body]), as the udp fuzz target's seeds: seeds/libzmq-radio-datagrams.json. Run
 * from the repository root:
 *
 *   pnpm --filter @zmq-ts/core exec tsx --conditions=@zmq-ts/source test/fuzz/record-datagrams.ts
 *
 *   libzmq RADIO ──udp──▶ node:dgram socket on 127.0.0.1 (records each datagram as it arrived)
 */
import { createSocket } from "node:dgram"
import { writeFileSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"
import * as draft from "zeromq/draft.js"
import { version } from "zeromq"

const receiver = createSocket("udp4")
const datagrams: Buffer[] = []
receiver.on("message", (data) => datagrams.push(Buffer.from(data)))
await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve))
const radio = new draft.Radio({ linger: 0 })
radio.connect(`udp://127.0.0.1:${receiver.address().port}`)
await sleep(100) // libzmq plugs its udp socket in its I/O thread after connect returns
const SENDS: Array<[string, Buffer]> = [
  ["TV", Buffer.from("hello")],
  ["TV", Buffer.alloc(0)],
  ["", Buffer.from("empty group")],
  ["weather", Buffer.alloc(100, 7)],
  ["g".repeat(255), Buffer.from("longest group")],
  ["TV", Buffer.alloc(8189, 3)],
]
for (const [group, body] of SENDS) {
  await radio.send(body, { group })
  await sleep(10)
}
await sleep(100)
radio.close()
receiver.close()
const hex = datagrams.map((d) => d.toString("hex"))
process.stdout.write(`${datagrams.length} datagrams: ${datagrams.map((d) => d.length).join(", ")} bytes\n`)
writeFileSync(
  new URL("./seeds/libzmq-radio-datagrams.json", import.meta.url),
  `${JSON.stringify({ recorded: `libzmq ${version} RADIO (npm zeromq/draft) to a node:dgram socket`, groups: SENDS.map(([g]) => g), datagrams: hex }, null, 1)}\n`,
)
