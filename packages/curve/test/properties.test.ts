/**
 * Random and mutated input (mqtt-packet's random-input test, STYLE.md §5): whatever bytes reach either
 * side of a CURVE connection, during the handshake or after it, the only failure is a typed `ZmtpError`
 * event (nothing is thrown), and no message is ever delivered that the peer did not send.
 */
import { ZmtpConnection, ZmtpError, type ZmtpEvent } from "@zmq-ts/zmtp"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { curveClient, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { allowAll, ascii, curveGreeting, frame, hex, Pair, parseFrames } from "./helpers/pair.js"

const SERVER_PUBLIC = decodeCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "server public")
const SERVER_SECRET = decodeCurveKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "server secret")
const CLIENT_PUBLIC = decodeCurveKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "client public")
const CLIENT_SECRET = decodeCurveKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "client secret")

beforeAll(async () => {
  await loadCurve()
})

const client = () => ({ socketType: "DEALER" as const, mechanism: curveClient({ publicKey: CLIENT_PUBLIC, secretKey: CLIENT_SECRET, serverKey: SERVER_PUBLIC }) })
const server = () => ({ socketType: "ROUTER" as const, mechanism: curveServer({ secretKey: SERVER_SECRET }) })

/** Feeds chunks; every event must be well-typed, an error only last; throws nothing. */
function feed(connection: ZmtpConnection, chunks: readonly Uint8Array[]): ZmtpEvent[] {
  const events: ZmtpEvent[] = []
  for (const chunk of chunks) {
    if (connection.state === "failed" || connection.state === "closed") break
    events.push(...connection.receiveData(chunk))
  }
  const errors = events.filter((event) => event.type === "error")
  expect(errors.length).toBeLessThanOrEqual(1)
  if (errors[0]?.type === "error") {
    expect(ZmtpError.isInstance(errors[0].error)).toBe(true)
    expect(events.at(-1)).toBe(errors[0])
  }
  return events
}

function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of points) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

const commandLike = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  // Frames that look like CURVE commands, so the parsers get past the name.
  fc.tuple(fc.constantFrom("HELLO", "WELCOME", "INITIATE", "READY", "MESSAGE", "ERROR"), fc.uint8Array({ maxLength: 320 })).map(([name, data]) =>
    frame(0x04, Uint8Array.from([name.length, ...ascii(name), ...data])),
  ),
  fc.uint8Array({ maxLength: 300 }).map((data) => frame(0x00, Uint8Array.from([7, ...ascii("MESSAGE"), ...data]))),
)

describe("random input", () => {
  it("random frames after the greeting give a server and a client only typed errors", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(commandLike, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), (toServer, frames, cuts) => {
        const connection = new ZmtpConnection(toServer ? server() : client())
        const bytes = Uint8Array.from([...curveGreeting(!toServer), ...frames.flatMap((f) => [...f])])
        const events = feed(connection, chunked(bytes, cuts))
        expect(events.filter((e) => e.type === "message" || e.type === "ready")).toEqual([])
      }),
      { numRuns: 300 },
    )
  })
})

describe("mutated handshakes", () => {
  it("one flipped, dropped or inserted byte anywhere in the handshake: success or a typed error, no stray message", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"client" | "server">("client", "server"),
        fc.nat({ max: 3 }),
        fc.nat(),
        fc.constantFrom("flip", "drop", "insert", "truncate"),
        fc.integer({ min: 1, max: 255 }),
        (from, chunkIndex, position, kind, value) => {
          let seen = 0
          const pair = new Pair(client(), server(), {
            onEvent: allowAll,
            tamper: (side, bytes) => {
              if (side !== from || seen++ !== chunkIndex) return bytes
              const at = position % bytes.length
              if (kind === "flip") return Uint8Array.from(bytes, (b, i) => (i === at ? b ^ value : b))
              if (kind === "drop") return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)])
              if (kind === "insert") return Uint8Array.from([...bytes.subarray(0, at), value, ...bytes.subarray(at)])
              return bytes.subarray(0, at)
            },
          })
          pair.pump()
          for (const side of [pair.client, pair.server]) {
            const errors = side.events.filter((e) => e.type === "error")
            expect(errors.length).toBeLessThanOrEqual(1)
            for (const e of errors) if (e.type === "error") expect(ZmtpError.isInstance(e.error)).toBe(true)
            expect(side.events.filter((e) => e.type === "message")).toEqual([])
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe("forged MESSAGE commands", () => {
  it("a mutated MESSAGE body never delivers anything but the message that was sent", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (payload, position, value, toClient) => {
        const pair = new Pair(client(), server(), { onEvent: allowAll }).pump()
        const sender = toClient ? pair.server.connection : pair.client.connection
        const receiver = toClient ? pair.client.connection : pair.server.connection
        sender.send([payload])
        const wire = new Uint8Array(sender.dataToSend())
        const [message] = parseFrames(wire, 0)
        const header = wire.length - message!.body.length
        const at = header + (position % message!.body.length)
        wire[at] = wire[at]! ^ value
        const events = feed(receiver, [wire])
        const delivered = events.filter((e) => e.type === "message")
        // Flipping a byte of the box or of the nonce breaks the MAC; of the name, the command; never silent.
        expect(delivered).toEqual([])
        expect(events.at(-1)?.type).toBe("error")
      }),
      { numRuns: 200 },
    )
  })

  it("random MESSAGE frames after a real handshake deliver nothing", () => {
    fc.assert(
      fc.property(fc.array(commandLike, { minLength: 1, maxLength: 3 }), (frames) => {
        const pair = new Pair(client(), server(), { onEvent: allowAll }).pump()
        const events = feed(pair.server.connection, frames)
        expect(events.filter((e) => e.type !== "error")).toEqual([])
      }),
      { numRuns: 150 },
    )
  })

  it("a genuine MESSAGE still arrives when the outer frame's flags are changed (only the boxed flags count)", () => {
    const pair = new Pair(client(), server(), { onEvent: allowAll }).pump()
    pair.client.connection.send([ascii("x")])
    const wire = new Uint8Array(pair.client.connection.dataToSend())
    wire[0] = 0x01 // outer MORE, unauthenticated: ignored (libzmq would OR it into the message flags)
    const events = feed(pair.server.connection, [wire])
    expect(events.map((e) => (e.type === "message" ? e.frames.map(hex) : e.type))).toEqual([[hex(ascii("x"))]])
  })
})
