/**
 * Records CURVE sessions with a real libzmq (4.3.5, npm `zeromq`) for the fuzz target's seeds:
 * seeds/libzmq-curve-sessions.json next to this file. Run from the repository root:
 *
 *   pnpm --filter @zmq-ts/curve exec tsx --conditions=@zmq-ts/source test/fuzz/record-sessions.ts
 *
 *   libzmq DEALER (CURVE client) ──tcp──▶ our ZmtpConnection (curveServer)   records client→server
 *   libzmq ROUTER (CURVE server) ◀──tcp── our ZmtpConnection (curveClient)   records server→client
 *
 * Our side runs with a fixed random source (fixed-random.ts, seed per session) so the fuzz can rebuild the
 * same connection and libzmq's recorded boxes open again. libzmq sends four messages (multipart, 255- and
 * 256-byte frames) and, with ZMQ_HEARTBEAT_IVL 40 ms, PINGs inside CURVE MESSAGE boxes.
 */
import { writeFileSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"
import * as zmq from "zeromq"
import { toHex } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { loadCurve } from "../../src/index.js"
import { connect, listen } from "../helpers/net-driver.js"
import { KEYS, receiverOptions, type CurveSession } from "./curve-sessions.js"
import { fixRandom } from "./fixed-random.js"

await loadCurve()
const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff))
const VARIETY: Buffer[][] = [[Buffer.from("hello")], [Buffer.from("part-1"), Buffer.alloc(0), Buffer.from("part-3")], [bytes(255, 1)], [bytes(256, 3)]]
const LIBZMQ = { linger: 0, heartbeatInterval: 40, heartbeatTimeout: 1000 }

async function libzmqClient(): Promise<CurveSession> {
  const session = { name: "libzmq-dealer-to-our-server", receiver: "server", randomSeed: 1 } as const
  const restore = fixRandom(session.randomSeed)
  const listener = await listen(() => receiverOptions(session))
  const dealer = new zmq.Dealer({ ...LIBZMQ, curveServerKey: KEYS.serverPublic, curvePublicKey: KEYS.clientPublic, curveSecretKey: KEYS.clientSecret })
  dealer.connect(listener.endpoint)
  const driver = await listener.first()
  await driver.next("ready")
  for (const message of VARIETY) await dealer.send(message)
  for (let i = 0; i < VARIETY.length; i++) await driver.next("message")
  await sleep(120)
  const received = driver.received
  dealer.close()
  await listener.close()
  restore()
  return { ...session, description: "libzmq DEALER, CURVE client, connects to our ROUTER (CURVE server): HELLO, INITIATE, four messages, heartbeats", hex: toHex(received) }
}

async function libzmqServer(): Promise<CurveSession> {
  const session = { name: "libzmq-router-to-our-client", receiver: "client", randomSeed: 2 } as const
  const router = new zmq.Router({ ...LIBZMQ, curveServer: true, curveSecretKey: KEYS.serverSecret })
  await router.bind("tcp://127.0.0.1:*")
  const restore = fixRandom(session.randomSeed)
  const driver = await connect(router.lastEndpoint!, receiverOptions(session))
  await driver.next("ready")
  driver.send([Buffer.from("hi")])
  const [id] = await router.receive()
  for (const message of VARIETY) await router.send([id!, ...message])
  for (let i = 0; i < VARIETY.length; i++) await driver.next("message")
  await sleep(120)
  const received = driver.received
  await driver.close()
  router.close()
  restore()
  return { ...session, description: "libzmq ROUTER, CURVE server, binds; our DEALER (CURVE client) connects: WELCOME, READY, four messages, heartbeats", hex: toHex(received) }
}

const sessions = [await libzmqClient(), await libzmqServer()]
for (const s of sessions) process.stdout.write(`${s.name}: ${(s.hex ?? "").length / 2} bytes\n`)
writeFileSync(
  new URL("./seeds/libzmq-curve-sessions.json", import.meta.url),
  `${JSON.stringify({ recorded: `libzmq ${zmq.version} (npm zeromq) against our ZmtpConnection with a fixed random source`, sessions }, null, 1)}\n`,
)
