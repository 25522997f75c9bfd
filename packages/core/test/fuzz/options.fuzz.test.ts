/**
 * Fuzz target "options": socket options set to arbitrary values — every option zeromq.js 6.8 defines, on
 * every stable socket type, to numbers at and past every C type's bounds (NaN, ±∞, -0, 2^31, 2^53, 2^64,
 * fractions), booleans, strings (Z85 CURVE keys among them, intact and mutated), Buffers, null, undefined,
 * bigints and objects. Seeds for the key values: libzmq's test keys, mutated.
 *
 * Oracle: the same assignments on a zeromq.js 6.8 socket (libzmq 4.3.5) of the same type, side by side.
 * Ours must do what zeromq.js does — accept, or throw a TypeError, or throw an error with the same libzmq
 * code — and never throw anything else; a refused value leaves the option as it was; what zeromq.js reads
 * back, ours reads back; and the socket closes cleanly afterwards.
 */
import { Buffer } from "node:buffer"
import { afterAll, beforeAll, describe, it } from "vitest"
import fc from "fast-check"
import * as zmq from "zeromq"
import * as ours from "../../src/index.js"
import { SOCKET_OPTIONS } from "../../src/common/options.js"
import { check, fuzz, mutants, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"

const RUNS = targetRuns("options", 1000)
const TYPES = [
  ["Pair", ours.Pair, zmq.Pair],
  ["Publisher", ours.Publisher, zmq.Publisher],
  ["Subscriber", ours.Subscriber, zmq.Subscriber],
  ["Request", ours.Request, zmq.Request],
  ["Reply", ours.Reply, zmq.Reply],
  ["Dealer", ours.Dealer, zmq.Dealer],
  ["Router", ours.Router, zmq.Router],
  ["Pull", ours.Pull, zmq.Pull],
  ["Push", ours.Push, zmq.Push],
  ["XPublisher", ours.XPublisher, zmq.XPublisher],
  ["XSubscriber", ours.XSubscriber, zmq.XSubscriber],
  ["Stream", ours.Stream, zmq.Stream],
] as const
const NAMES = Object.keys(SOCKET_OPTIONS)
const KEYS = ["Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"].map((k) =>
  Uint8Array.from(k, (c) => c.charCodeAt(0)),
)

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1, 2, 3, 4, NaN, Infinity, -Infinity, -0, 0.5, 1.5, -1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 32 + 1),
  fc.constantFrom(2 ** 53, 2 ** 63, 2 ** 64, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, undefined, {}, [], "allSubs", "allSubsUnsubs", "", "\0", "a\0b"),
  fc.string({ maxLength: 300 }),
  mutants(KEYS, 2).map((m) => String.fromCharCode(...m.bytes)),
  mutants(KEYS, 2).map((m) => Buffer.from(m.bytes)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.bigInt(),
)

/**
 * The documented differences (options.ts): zmq-ts refuses with ENOTSUP what it cannot do and would
 * otherwise ignore silently — accept filters, SOCKS, binding to a device — whatever libzmq makes of the
 * value (accepts it, or refuses a malformed one with EINVAL).
 */
const ENOTSUP_WHERE_LIBZMQ_ACCEPTS: ReadonlySet<string> = new Set(["tcpAcceptFilter", "socksProxy", "interface"])

/**
 * And one refusal of ours where libzmq accepts by accident: a 40-character Z85 CURVE key with a NUL inside.
 * libzmq's zmq_z85_decode stops at the NUL and leaves the rest of the key as it was; zmq-ts says EINVAL.
 */
const CURVE_KEYS: ReadonlySet<string> = new Set(["curvePublicKey", "curveSecretKey", "curveServerKey"])
const hasNul = (v: unknown): boolean => (typeof v === "string" && v.includes("\0")) || (Buffer.isBuffer(v) && v.includes(0))

type Outcome = "ok" | `TypeError` | `code ${string}` | `other ${string}`

function outcome(assign: () => void): Outcome {
  try {
    assign()
    return "ok"
  } catch (error) {
    if (error instanceof TypeError) return "TypeError"
    const code = (error as { code?: unknown }).code
    return typeof code === "string" ? `code ${code}` : `other ${String(error)}`
  }
}

const read = (socket: object, name: string): unknown => {
  try {
    return (socket as Record<string, unknown>)[name]
  } catch (error) {
    return `throws ${(error as { code?: string }).code ?? String(error)}`
  }
}

/**
 * Read-back values compared as zeromq.js gives them. One documented difference (test/compat/options.test.ts):
 * zeromq.js reads a string option as a C string, up to its first NUL (and one NUL byte as null), where
 * zmq-ts reads back the whole text; so both are compared up to the first NUL, and "" as null.
 */
const normal = (v: unknown): unknown => {
  if (typeof v !== "string") return v
  const text = v.includes("\0") ? v.slice(0, v.indexOf("\0")) : v
  return text === "" ? null : text
}

describe("fuzz: socket option values", () => {
  // Both libraries warn on every integer past 2^53 ("may have been rounded"): thousands of lines, no news.
  const emitWarning = process.emitWarning
  beforeAll(() => {
    process.emitWarning = () => undefined
  })
  afterAll(() => {
    process.emitWarning = emitWarning
  })

  it("accept or refuse each value as zeromq.js does, leave refused values unset, and close cleanly", () => {
    const assignment = fc.tuple(fc.constantFrom(...NAMES), value)
    fuzz("options", RUNS, 1, fc.tuple(fc.nat({ max: TYPES.length - 1 }), fc.array(assignment, { minLength: 1, maxLength: 4 })), ([t, assignments]) => {
      const [typeName, Ours, Theirs] = TYPES[t]!
      const mine = new Ours() as unknown as Record<string, unknown> & { close(): void }
      const theirs = new Theirs() as unknown as Record<string, unknown> & { close(): void }
      try {
        for (const [name, v] of assignments) {
          if (!(name in theirs)) continue // not an option of this type in zeromq.js
          const before = read(mine, name)
          const got = outcome(() => {
            mine[name] = v
          })
          const want = outcome(() => {
            theirs[name] = v
          })
          const what = `${typeName}.${name} = ${typeof v === "string" ? JSON.stringify(v) : String(v)}`
          check(!got.startsWith("other"), () => `${what} threw ${got}`)
          const documented =
            (ENOTSUP_WHERE_LIBZMQ_ACCEPTS.has(name) && got === "code ENOTSUP" && want !== "TypeError") ||
            (CURVE_KEYS.has(name) && hasNul(v) && got === "code EINVAL" && want === "ok")
          check(got === want || documented, () => `${what}: ours ${got}, zeromq.js ${want}`)
          if (documented) continue
          if (got !== "ok") check(Object.is(normal(read(mine, name)), normal(before)), () => `${what} was refused but changed the option`)
          const theirValue = read(theirs, name)
          if (got === "ok" && theirValue !== undefined && !(typeof theirValue === "string" && theirValue.startsWith("throws "))) {
            check(Object.is(normal(read(mine, name)), normal(theirValue)), () => `${what} reads back ${String(read(mine, name))}, zeromq.js ${String(theirValue)}`)
          }
        }
      } finally {
        check(outcome(() => mine.close()) === "ok", () => "close threw")
        theirs.close()
      }
    })
  })
})
