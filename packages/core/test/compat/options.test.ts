/**
 * Socket and context options as zeromq.js 6.8.0 has them (observed by running it over libzmq 4.3.5): which
 * socket types have which option, their defaults, how values are converted and checked, and the errors
 * and warnings. The expectations are zeromq.js's observed behaviour, written out here; where zmq-ts
 * differs on purpose, the test says so.
 *
 *   new Dealer({ …options })  ──▶ sealed socket ──▶ Object.assign(options)
 *        │  wrong JS type  ── TypeError "Option value must be a number" (zeromq.js's words)
 *        │  out of range   ── ZmqError EINVAL "Invalid argument"
 *        │  not this type's option ── TypeError "Cannot add property x, object is not extensible"
 *        ▼
 *   socket.option = value after bind/connect ──▶ process warning, as zeromq.js
 *   socket.close() ──▶ every option: ZmqError ENOTSOCK
 */
import { Buffer } from "node:buffer"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  Context,
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
  ZmqError,
} from "../../src/index.js"
import type { Socket } from "../../src/index.js"
import { z85Decode } from "@zmq-ts/zmtp"

const CLASSES = { Pair, Publisher, Subscriber, Request, Reply, Dealer, Router, Pull, Push, XPublisher, XSubscriber } as const
type ClassName = keyof typeof CLASSES
const ALL = Object.keys(CLASSES) as ClassName[]
const SENDERS: ClassName[] = ["Pair", "Publisher", "Request", "Reply", "Dealer", "Router", "Push", "XPublisher", "XSubscriber"]
const RECEIVERS: ClassName[] = ["Pair", "Subscriber", "Request", "Reply", "Dealer", "Router", "Pull", "XPublisher", "XSubscriber"]

/** zeromq.js 6.8.0's options by the classes that have them, with the default each reads (undefined: not compared). */
const ZEROMQJS_OPTIONS: Record<string, { on: ClassName[]; default?: unknown }> = {
  affinity: { on: ALL, default: 0 },
  rate: { on: ALL, default: 100 },
  recoveryInterval: { on: ALL, default: 10_000 },
  linger: { on: ALL }, // -1, but 0 on SUB and XSUB: its own test below
  reconnectInterval: { on: ALL, default: 100 },
  backlog: { on: ALL, default: 100 },
  reconnectMaxInterval: { on: ALL, default: 0 },
  maxMessageSize: { on: ALL, default: -1 },
  tcpKeepalive: { on: ALL, default: -1 },
  tcpKeepaliveCount: { on: ALL, default: -1 },
  tcpKeepaliveIdle: { on: ALL, default: -1 },
  tcpKeepaliveInterval: { on: ALL, default: -1 },
  tcpAcceptFilter: { on: ALL }, // zeromq.js cannot read it (EINVAL); zmq-ts reads null
  immediate: { on: ALL, default: false },
  ipv6: { on: ALL, default: false },
  securityMechanism: { on: ALL, default: null },
  plainServer: { on: ALL, default: false },
  plainUsername: { on: ALL, default: null },
  plainPassword: { on: ALL, default: null },
  curveServer: { on: ALL, default: false },
  curvePublicKey: { on: ALL }, // zeromq.js: reading is EINVAL; zmq-ts reads null
  curveSecretKey: { on: ALL },
  curveServerKey: { on: ALL },
  zapDomain: { on: ALL, default: null },
  typeOfService: { on: ALL, default: 0 },
  handshakeInterval: { on: ALL, default: 30_000 },
  socksProxy: { on: ALL, default: null },
  heartbeatInterval: { on: ALL, default: 0 },
  heartbeatTimeToLive: { on: ALL, default: 0 },
  heartbeatTimeout: { on: ALL, default: -1 },
  connectTimeout: { on: ALL, default: 0 },
  tcpMaxRetransmitTimeout: { on: ALL, default: 0 },
  threadSafe: { on: ALL, default: false },
  multicastMaxTransportDataUnit: { on: ALL, default: 1500 },
  vmciBufferSize: { on: ALL },
  vmciBufferMinSize: { on: ALL },
  vmciBufferMaxSize: { on: ALL },
  vmciConnectTimeout: { on: ALL },
  interface: { on: ALL, default: null },
  zapEnforceDomain: { on: ALL, default: false },
  loopbackFastPath: { on: ALL, default: false },
  lastEndpoint: { on: ALL, default: null },
  sendBufferSize: { on: SENDERS, default: -1 },
  sendHighWaterMark: { on: SENDERS, default: 1000 },
  sendTimeout: { on: SENDERS, default: -1 },
  multicastHops: { on: SENDERS, default: 1 },
  receiveBufferSize: { on: RECEIVERS, default: -1 },
  receiveHighWaterMark: { on: RECEIVERS, default: 1000 },
  receiveTimeout: { on: RECEIVERS, default: -1 },
  routingId: { on: ["Request", "Reply", "Router", "Dealer"], default: null },
  mandatory: { on: ["Router"] }, // zeromq.js: reading is EINVAL; zmq-ts reads false
  invertMatching: { on: ["Publisher", "Subscriber", "XPublisher"], default: false },
  // Write-only in zeromq.js (reading gives undefined); zmq-ts reads them back (their default here).
  probeRouter: { on: ["Router", "Dealer", "Request"] },
  correlate: { on: ["Request"] },
  relaxed: { on: ["Request"] },
  conflate: { on: ["Pull", "Push", "Subscriber", "Publisher", "Dealer"] },
  handover: { on: ["Router"] },
  noDrop: { on: ["XPublisher", "Publisher"] },
  manual: { on: ["XPublisher"] },
  welcomeMessage: { on: ["XPublisher"] },
  verbosity: { on: ["XPublisher"] },
}

const sockets: Socket[] = []
function make<N extends ClassName>(name: N, options?: object): InstanceType<(typeof CLASSES)[N]> {
  const socket = new (CLASSES[name] as unknown as new (options?: object) => Socket)(options)
  sockets.push(socket)
  return socket as InstanceType<(typeof CLASSES)[N]>
}
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})

/** Reads or writes a property by name, as untyped JavaScript code does. */
function prop(socket: object): Record<string, unknown> {
  return socket as Record<string, unknown>
}

function thrown(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

function expectZmqError(action: () => unknown, code: string): void {
  const error = thrown(action)
  expect(ZmqError.isInstance(error), String(error)).toBe(true)
  expect(error).toMatchObject({ code })
}

const INVALID = { code: "EINVAL", errno: 22, message: "Invalid argument" }

describe("which socket types have which option (zeromq.js's defineOpt table)", () => {
  it.each(ALL)("%s has exactly zeromq.js's options, with zeromq.js's defaults", (name) => {
    const socket = make(name)
    for (const [option, { on, default: byDefault }] of Object.entries(ZEROMQJS_OPTIONS)) {
      expect(option in socket, `${name}.${option}`).toBe(on.includes(name))
      if (!on.includes(name)) {
        // The socket is sealed: another type's option is refused, as in zeromq.js.
        expect(() => (prop(socket)[option] = 1), `${name}.${option}`).toThrow(
          new TypeError(`Cannot add property ${option}, object is not extensible`),
        )
        continue
      }
      if (byDefault !== undefined) expect(prop(socket)[option], `${name}.${option}`).toEqual(byDefault)
    }
  })

  it("linger defaults to 0 on SUB and XSUB (libzmq's xsub_t sets it), -1 elsewhere", () => {
    for (const name of ALL) {
      expect(make(name).linger, name).toBe(name === "Subscriber" || name === "XSubscriber" ? 0 : -1)
    }
  })

  it("zmq-ts reads back the options zeromq.js defines write-only (a documented difference)", () => {
    const request = make("Request", { probeRouter: true, correlate: true, relaxed: true })
    expect([request.probeRouter, request.correlate, request.relaxed]).toEqual([true, true, true])
    const xpub = make("XPublisher", { noDrop: true, manual: true, welcomeMessage: "hi", verbosity: "allSubs" })
    expect([xpub.noDrop, xpub.manual, xpub.welcomeMessage, xpub.verbosity]).toEqual([true, true, "hi", "allSubs"])
    expect(make("Router", { mandatory: true, handover: true })).toMatchObject({ mandatory: true, handover: true })
    expect(make("Pull", { conflate: true }).conflate).toBe(true)
  })

  it.each([
    ["securityMechanism", "plain"],
    ["threadSafe", true],
    ["type", 3],
    ["lastEndpoint", "tcp://x:1"],
  ])("%s is read-only: assigning it is zeromq.js's TypeError, in the constructor too", (option, value) => {
    const socket = make("Dealer")
    expect(() => (prop(socket)[option] = value)).toThrow(new TypeError(`Cannot set property ${option} of #<Socket> which has only a getter`))
    expect(() => new Dealer({ [option]: value } as never)).toThrow(new TypeError(`Cannot set property ${option} of #<Socket> which has only a getter`))
  })
})

describe("value conversion, as zeromq.js converts before libzmq sees the value", () => {
  it.each([
    ["linger", 1.5, 1],
    ["linger", -1.5, -1],
    ["linger", Number.NaN, 0],
    ["linger", Number.POSITIVE_INFINITY, 0],
    ["linger", 2 ** 32 - 1, -1], // an int32: modulo 2³²
    ["linger", 2 ** 32 + 5, 5],
    ["sendHighWaterMark", 1.9, 1],
    ["maxMessageSize", 1.5, 1],
    ["maxMessageSize", -2, -2], // any negative value: no limit
    ["maxMessageSize", 2 ** 40, 2 ** 40],
    ["maxMessageSize", 2 ** 70, 2 ** 63], // int64 saturates
    ["maxMessageSize", Number.NaN, 0],
    ["affinity", -5, 0], // uint64: negative is 0
    ["affinity", 2 ** 40, 2 ** 40],
    ["typeOfService", 2 ** 32 + 5, 5], // uint32
    ["heartbeatTimeToLive", 255, 200], // kept in deciseconds, truncated
    ["heartbeatTimeToLive", -99, 0],
    ["heartbeatTimeToLive", 6_553_599, 6_553_500],
    ["reconnectInterval", -1, -1],
    ["tcpKeepaliveCount", 5, 5], // accepted and read back (no effect: Node.js cannot set it)
    ["tcpKeepaliveInterval", 5, 5],
  ] as const)("%s = %d reads back %d", (option, value, expected) => {
    const socket = make("Dealer")
    prop(socket)[option] = value
    expect(prop(socket)[option]).toBe(expected)
    expect(prop(make("Dealer", { [option]: value }))[option]).toBe(expected)
  })

  it.each([
    ["linger", -2],
    ["linger", 2 ** 31], // ToInt32: -2³¹
    ["sendHighWaterMark", -1],
    ["receiveHighWaterMark", -1.5],
    ["sendTimeout", -2],
    ["receiveTimeout", -2],
    ["reconnectInterval", -2],
    ["reconnectMaxInterval", -1],
    ["backlog", -1],
    ["connectTimeout", -1],
    ["handshakeInterval", -1],
    ["heartbeatInterval", -1],
    ["heartbeatTimeout", -1], // the default, but libzmq takes only 0 and up
    ["heartbeatTimeToLive", 6_553_600],
    ["tcpKeepalive", 2],
    ["tcpKeepaliveIdle", -2],
    ["rate", 0],
    ["recoveryInterval", -1],
    ["multicastHops", 0],
    ["multicastMaxTransportDataUnit", 0],
    ["sendBufferSize", -2],
    ["receiveBufferSize", -2],
    ["tcpMaxRetransmitTimeout", -1],
    ["typeOfService", -1],
    ["typeOfService", 2 ** 31],
  ] as const)("%s = %d is out of libzmq's range: ZmqError EINVAL, the value unchanged", (option, value) => {
    const socket = make("Dealer")
    const before = prop(socket)[option]
    const error = thrown(() => (prop(socket)[option] = value))
    expect(ZmqError.isInstance(error)).toBe(true)
    expect(error).toMatchObject(INVALID)
    expect(prop(socket)[option]).toBe(before)
    expect(() => new Dealer({ [option]: value } as never)).toThrow(expect.objectContaining(INVALID))
  })

  it.each([
    ["linger", "100", "Option value must be a number"],
    ["linger", true, "Option value must be a number"],
    ["linger", null, "Option value must be a number"],
    ["linger", undefined, "Option value must be a number"],
    ["maxMessageSize", Symbol.for("5"), "Option value must be a number"],
    ["affinity", "1", "Option value must be a number"],
    ["immediate", 1, "Option value must be a boolean"],
    ["immediate", "true", "Option value must be a boolean"],
    ["ipv6", null, "Option value must be a boolean"],
    ["routingId", 42, "Option value must be a string or buffer"],
    ["plainUsername", {}, "Option value must be a string or buffer"],
    ["curveServerKey", 5, "Option value must be a string or buffer"],
  ] as const)("%s = %s is zeromq.js's TypeError, as a property and in the constructor", (option, value, message) => {
    const socket = make("Dealer")
    expect(() => (prop(socket)[option] = value)).toThrow(new TypeError(message))
    if (option === "maxMessageSize") expect(() => (prop(socket)[option] = 5n)).toThrow(new TypeError(message)) // a BigInt too
    // `undefined` in the constructor is assigned like any value (zeromq.js: Object.assign), not skipped.
    expect(() => new Dealer({ [option]: value } as never)).toThrow(new TypeError(message))
  })

  it("warns once past Number.MAX_SAFE_INTEGER for a uint64 option, as zeromq.js does", async () => {
    const warnings = await collectWarnings(() => {
      make("Dealer").affinity = 2 ** 60
    })
    expect(warnings).toEqual(["Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately."])
  })
})

describe("string options", () => {
  it("routingId: 1 to 255 bytes; a Buffer is taken as bytes and reads back as text; null and empty are EINVAL", () => {
    const dealer = make("Dealer")
    dealer.routingId = "é".repeat(127) // 254 bytes
    expect(dealer.routingId).toBe("é".repeat(127))
    for (const bad of ["", "é".repeat(128), null, Buffer.alloc(0)]) {
      expectZmqError(() => (prop(dealer)["routingId"] = bad), "EINVAL")
    }
    prop(dealer)["routingId"] = Buffer.from("buf")
    expect(dealer.routingId).toBe("buf")
    // zmq-ts reads back the whole text (zeromq.js stops at the first zero byte: "\0abc" reads "").
    dealer.routingId = "\u0000abc"
    expect(dealer.routingId).toBe("\u0000abc")
  })

  it("a Buffer routing id reaches the peer byte for byte, even when it is not UTF-8", async () => {
    const id = Buffer.from([0xff, 0x00, 0x80, 0x41])
    const router = make("Router")
    await router.bind("inproc://options-binary-routing-id")
    const dealer = make("Dealer", { routingId: id })
    dealer.connect("inproc://options-binary-routing-id")
    await dealer.send("hello")
    const [from, body] = await router.receive()
    expect(from).toEqual(id)
    expect(body!.toString()).toBe("hello")
  })

  it("PLAIN credentials: 1 to 255 bytes; an empty string is EINVAL, an empty Buffer is null", () => {
    const dealer = make("Dealer")
    expectZmqError(() => (dealer.plainUsername = ""), "EINVAL")
    expectZmqError(() => (dealer.plainPassword = "x".repeat(256)), "EINVAL")
    dealer.plainPassword = "x".repeat(255)
    expect(dealer.securityMechanism).toBe("plain")
    prop(dealer)["plainPassword"] = Buffer.alloc(0)
    expect(dealer.securityMechanism).toBeNull()
  })

  it("welcomeMessage takes a string or a Buffer; an empty one means no welcome message, as in libzmq", async () => {
    const xpub = make("XPublisher", { welcomeMessage: "" })
    await xpub.bind("inproc://options-empty-welcome")
    const sub = make("Subscriber")
    sub.subscribe("")
    sub.connect("inproc://options-empty-welcome")
    await xpub.receive() // the subscription has arrived: a welcome message would be queued before it
    await xpub.send("first")
    expect((await sub.receive()).map(String)).toEqual(["first"])
    prop(xpub)["welcomeMessage"] = Buffer.from("w")
    expect(xpub.welcomeMessage).toBe("w")
  })
})

describe("the security mechanism (ZMQ_MECHANISM) follows libzmq: the last PLAIN/CURVE option set decides", () => {
  it("reads null, then plain, as the options select", () => {
    const dealer = make("Dealer")
    const state = (): unknown[] => [dealer.plainServer, dealer.plainUsername, dealer.plainPassword, dealer.securityMechanism]
    expect(state()).toEqual([false, null, null, null])
    dealer.plainUsername = "u"
    expect(state()).toEqual([false, "u", null, "plain"])
    dealer.plainUsername = null // NULL again; libzmq keeps the old username
    expect(state()).toEqual([false, "u", null, null])
    dealer.plainPassword = "p"
    expect(state()).toEqual([false, "u", "p", "plain"])
    dealer.plainServer = true
    expect(state()).toEqual([true, "u", "p", "plain"])
    dealer.plainServer = false
    expect(state()).toEqual([false, "u", "p", null])
    dealer.plainServer = true
    dealer.plainUsername = "v" // a username makes it a client
    expect(state()).toEqual([false, "v", "p", "plain"])
    dealer.plainServer = true
    dealer.curveServer = false // CURVE_SERVER 0 selects NULL in libzmq
    expect(state()).toEqual([false, "v", "p", null])
  })

  it("a socket whose username was set back to null uses NULL: it talks to a NULL peer", async () => {
    const pull = make("Pull")
    await pull.bind("tcp://127.0.0.1:*")
    // Old credentials stay (libzmq keeps them), but a null username selects NULL: no PLAIN handshake.
    const push = make("Push", { plainUsername: "admin", plainPassword: "secret" })
    push.plainUsername = null
    expect(push.plainPassword).toBe("secret")
    push.connect(pull.lastEndpoint!)
    await push.send("over NULL")
    pull.receiveTimeout = 3000
    expect((await pull.receive()).map(String)).toEqual(["over NULL"])
  })
})

describe("CURVE, ZAP and what zmq-ts cannot do", () => {
  const KEY = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

  it("CURVE keys take 40 Z85 characters (or 41 ending in NUL) or 32 bytes, read back as Z85, anything else EINVAL", () => {
    for (const option of ["curvePublicKey", "curveSecretKey", "curveServerKey"]) {
      const dealer = make("Dealer")
      expect(prop(dealer)[option]).toBeNull()
      prop(dealer)[option] = KEY
      expect(prop(dealer)[option]).toBe(KEY)
      prop(dealer)[option] = `${KEY}\0`
      expect(prop(dealer)[option]).toBe(KEY)
      prop(dealer)[option] = z85Decode(KEY)
      expect(prop(dealer)[option]).toBe(KEY)
      expect(dealer.securityMechanism).toBe("curve")
      for (const key of [null, "", "x".repeat(39), "x".repeat(39) + "~", Buffer.alloc(31), "x".repeat(123)]) {
        expectZmqError(() => (prop(dealer)[option] = key), "EINVAL")
      }
      expect(prop(dealer)[option]).toBe(KEY)
    }
  })

  it("the mechanism follows libzmq: curveServer makes a server, a server key a client, curveServer false NULL", () => {
    const dealer = make("Dealer")
    dealer.curveServer = true
    expect([dealer.curveServer, dealer.securityMechanism]).toEqual([true, "curve"])
    dealer.curveServerKey = KEY
    expect([dealer.curveServer, dealer.securityMechanism]).toEqual([false, "curve"])
    dealer.curveServer = false
    expect([dealer.curveServer, dealer.securityMechanism]).toEqual([false, null])
    dealer.plainServer = true
    dealer.curveSecretKey = KEY // a key selects CURVE; as_server stays, so this is a CURVE server
    expect([dealer.plainServer, dealer.curveServer, dealer.securityMechanism]).toEqual([false, true, "curve"])
    dealer.plainUsername = "user"
    expect([dealer.curveServer, dealer.securityMechanism]).toEqual([false, "plain"])
  })

  it("zapDomain: a domain of 1 to 255 bytes is kept, null or empty is EINVAL (as libzmq); zapEnforceDomain is a plain flag", () => {
    const dealer = make("Dealer")
    expect([dealer.zapDomain, dealer.zapEnforceDomain]).toEqual([null, false])
    dealer.zapDomain = "global"
    expectZmqError(() => (dealer.zapDomain = null), "EINVAL")
    expectZmqError(() => (dealer.zapDomain = ""), "EINVAL")
    expectZmqError(() => (dealer.zapDomain = "x".repeat(256)), "EINVAL")
    dealer.zapEnforceDomain = true
    expect([dealer.zapDomain, dealer.zapEnforceDomain]).toEqual(["global", true])
    dealer.zapEnforceDomain = false
    expect(dealer.zapEnforceDomain).toBe(false)
  })

  it.each([
    ["tcpAcceptFilter", "127.0.0.1"],
    ["socksProxy", "127.0.0.1:1080"],
    ["interface", "lo"],
  ])("%s: clearing it (null) is accepted, setting it fails with ENOTSUP rather than being ignored", (option, value) => {
    const dealer = make("Dealer")
    prop(dealer)[option] = null
    expect(prop(dealer)[option]).toBeNull()
    expectZmqError(() => (prop(dealer)[option] = value), "ENOTSUP")
    expectZmqError(() => (prop(dealer)[option] = ""), option === "tcpAcceptFilter" ? "ENOTSUP" : "EINVAL")
  })

  it("the VMCI options fail with EINVAL when read or set, as in zeromq.js (no VMCI transport)", () => {
    const dealer = make("Dealer")
    for (const option of ["vmciBufferSize", "vmciBufferMinSize", "vmciBufferMaxSize", "vmciConnectTimeout"]) {
      expectZmqError(() => prop(dealer)[option], "EINVAL")
      expectZmqError(() => (prop(dealer)[option] = 0), "EINVAL")
      expect(() => (prop(dealer)[option] = "0")).toThrow(new TypeError("Option value must be a number"))
    }
  })

  it("verbosity ignores a value it does not know, as zeromq.js's setter does", () => {
    const xpub = make("XPublisher", { verbosity: "allSubsUnsubs" })
    prop(xpub)["verbosity"] = "bogus"
    prop(xpub)["verbosity"] = undefined
    expect(xpub.verbosity).toBe("allSubsUnsubs")
    xpub.verbosity = null
    expect(xpub.verbosity).toBeNull()
  })
})

describe("options of a closed socket", () => {
  it("fail with ENOTSOCK, read or written, lastEndpoint and type too; a wrong type is still a TypeError first", async () => {
    const dealer = make("Dealer")
    await dealer.bind("tcp://127.0.0.1:*")
    dealer.close()
    for (const read of [() => dealer.linger, () => dealer.lastEndpoint, () => dealer.type, () => dealer.securityMechanism, () => dealer.probeRouter]) {
      const error = thrown(read)
      expect(ZmqError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: "ENOTSOCK", errno: 88, message: "Socket operation on non-socket" })
    }
    expectZmqError(() => (dealer.linger = 1), "ENOTSOCK")
    expectZmqError(() => (dealer.probeRouter = true), "ENOTSOCK")
    expect(() => (prop(dealer)["linger"] = "x")).toThrow(new TypeError("Option value must be a number"))
    expect([dealer.closed, dealer.readable, dealer.writable]).toEqual([true, false, false])
  })

  it("subscribe() checks the topic's type first, then that the socket is open", () => {
    const sub = make("Subscriber")
    expect(() => sub.subscribe(5 as never)).toThrow(new TypeError("Option value must be a string or buffer"))
    sub.close()
    expectZmqError(() => sub.subscribe("x"), "ENOTSOCK")
  })
})

/** Runs `action` and returns the process warnings it emitted (Node emits them on the next tick). */
async function collectWarnings(action: () => void): Promise<string[]> {
  const warnings: string[] = []
  const listener = (warning: Error): void => {
    warnings.push(warning.message)
  }
  process.on("warning", listener)
  try {
    action()
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off("warning", listener)
  }
  return warnings
}

const LATE = "Socket option will not take effect until next connect/bind."

describe("options set after bind/connect warn, as zeromq.js warns", () => {
  let dealer: Dealer
  beforeEach(() => {
    dealer = make("Dealer")
  })

  it("an option libzmq applies at the next connect/bind warns once the socket is bound; the immediate ones do not", async () => {
    expect(await collectWarnings(() => (dealer.reconnectInterval = 200))).toEqual([]) // no endpoint yet
    await dealer.bind("tcp://127.0.0.1:*")
    for (const set of [
      () => (dealer.reconnectInterval = 300),
      () => (dealer.immediate = true),
      () => (dealer.routingId = "late"),
      () => (dealer.heartbeatInterval = 100),
      () => (dealer.maxMessageSize = 100),
      () => (dealer.affinity = 1),
      () => (dealer.conflate = false),
    ]) {
      expect(await collectWarnings(set)).toEqual([LATE])
    }
    for (const set of [
      () => (dealer.linger = 5),
      () => (dealer.sendHighWaterMark = 5),
      () => (dealer.receiveHighWaterMark = 5),
      () => (dealer.sendTimeout = 5),
      () => (dealer.receiveTimeout = 5),
      () => (dealer.probeRouter = true),
    ]) {
      expect(await collectWarnings(set)).toEqual([])
    }
  })

  it("the ROUTER, REQ and XPUB options zeromq.js lists as immediate do not warn", async () => {
    const router = make("Router")
    await router.bind("tcp://127.0.0.1:*")
    expect(await collectWarnings(() => ((router.mandatory = true), (router.handover = true)))).toEqual([])
    const request = make("Request")
    request.connect("tcp://127.0.0.1:1")
    expect(await collectWarnings(() => ((request.correlate = true), (request.relaxed = true)))).toEqual([])
    const xpub = make("XPublisher")
    await xpub.bind("tcp://127.0.0.1:*")
    expect(await collectWarnings(() => (xpub.verbosity = "allSubs"))).toEqual([])
    expect(await collectWarnings(() => (xpub.noDrop = true))).toEqual([LATE])
  })

  it("connect counts, disconnect uncounts; a bad value warns and then fails, a wrong type fails without warning", async () => {
    dealer.connect("tcp://127.0.0.1:1")
    expect(await collectWarnings(() => (dealer.backlog = 5))).toEqual([LATE])
    let error: unknown
    expect(await collectWarnings(() => (error = thrown(() => (dealer.backlog = -5))))).toEqual([LATE])
    expect(error).toMatchObject({ code: "EINVAL" })
    expect(await collectWarnings(() => expect(() => (prop(dealer)["backlog"] = "x")).toThrow(TypeError))).toEqual([])
    dealer.disconnect("tcp://127.0.0.1:1")
    expect(await collectWarnings(() => (dealer.backlog = 6))).toEqual([])
  })

  it("unbinding the last endpoint stops the warnings", async () => {
    await dealer.bind("tcp://127.0.0.1:*")
    await dealer.unbind(dealer.lastEndpoint!)
    expect(await collectWarnings(() => (dealer.backlog = 7))).toEqual([])
  })
})

describe("constructor options", () => {
  it("must be an object: zeromq.js's TypeError otherwise", () => {
    for (const options of ["x", 42, null, true]) {
      expect(() => new Dealer(options as never), String(options)).toThrow(new TypeError("Options must be an object"))
    }
    expect(make("Dealer", []).linger).toBe(-1) // an array is an object
  })

  it("are assigned as Object.assign does: own enumerable keys, in order; the first refused one throws", () => {
    expect(() => new Dealer({ linger: 0, bogus: 1, sendHighWaterMark: "x" } as never)).toThrow(
      new TypeError("Cannot add property bogus, object is not extensible"),
    )
    expect(() => new Dealer({ sendHighWaterMark: "x", bogus: 1 } as never)).toThrow(new TypeError("Option value must be a number"))
    expect(() => new Dealer({ [Symbol("s")]: 1 } as never)).toThrow(new TypeError("Cannot add property Symbol(s), object is not extensible"))
    const inherited = Object.create({ linger: 5 }) as object
    expect(make("Dealer", inherited).linger).toBe(-1)
    const hidden = Object.defineProperty({}, "linger", { value: 5, enumerable: false })
    expect(make("Dealer", hidden).linger).toBe(-1)
  })

  it("a refused option leaves no socket behind in the context", () => {
    const context = new Context({ maxSockets: 1 })
    try {
      expect(() => new Dealer({ context, linger: -2 })).toThrow(expect.objectContaining({ code: "EINVAL" }))
      make("Dealer", { context }) // the one socket the context allows
    } finally {
      context.terminate()
    }
  })

  it("context must be a Context: anything else (null and undefined too) is EINVAL, as in zeromq.js", () => {
    for (const context of [{}, null, undefined, 5, make("Dealer")]) {
      const error = thrown(() => new Dealer({ context } as never))
      expect(ZmqError.isInstance(error), String(context)).toBe(true)
      expect(error).toMatchObject(INVALID)
    }
  })

  it("takes `context` out of the caller's object, as zeromq.js does (so a reused object means the default context)", () => {
    const context = new Context()
    try {
      const options = { context, linger: 0 }
      const first = make("Dealer", options)
      expect(first.context).toBe(context)
      expect(Object.keys(options)).toEqual(["linger"])
      expect(make("Dealer", options).context).not.toBe(context)
      // A frozen object keeps it, and assigning it then fails, word for word as in zeromq.js.
      expect(() => new Dealer(Object.freeze({ context }))).toThrow(
        new TypeError("Cannot set property context of #<Socket> which has only a getter"),
      )
    } finally {
      context.terminate()
    }
  })

  it("joins the context's defaults: blocky false gives linger 0, ipv6 gives ipv6", () => {
    const context = new Context({ blocky: false, ipv6: true })
    try {
      expect(make("Dealer", { context })).toMatchObject({ linger: 0, ipv6: true })
      context.blocky = true
      context.ipv6 = false
      expect(make("Dealer", { context })).toMatchObject({ linger: -1, ipv6: false })
      expect(make("Subscriber", { context }).linger).toBe(0)
    } finally {
      context.terminate()
    }
  })
})

describe("context options (zeromq.js's Context)", () => {
  const contexts: Context[] = []
  const makeContext = (options?: object): Context => {
    const context = new Context(options as never)
    contexts.push(context)
    return context
  }
  afterEach(() => {
    for (const context of contexts.splice(0)) context.terminate()
  })

  it("have zeromq.js's defaults", () => {
    expect(makeContext()).toMatchObject({ blocky: true, ioThreads: 1, maxSockets: 1023, maxSocketsLimit: 65_535, maxMessageSize: 2 ** 31 - 1, ipv6: false })
  })

  it("are set from the constructor and as properties, converted as int32", () => {
    const context = makeContext({ ioThreads: 4, maxSockets: 10, maxMessageSize: 100, ipv6: true, blocky: false, threadPriority: 1, threadSchedulingPolicy: 0 })
    expect(context).toMatchObject({ ioThreads: 4, maxSockets: 10, maxMessageSize: 100, ipv6: true, blocky: false, threadPriority: 1, threadSchedulingPolicy: 0 })
    context.ioThreads = 1.5
    context.maxSockets = 2 ** 32 + 3
    context.maxMessageSize = Number.NaN
    expect([context.ioThreads, context.maxSockets, context.maxMessageSize]).toEqual([1, 3, 0])
  })

  it.each([
    ["ioThreads", -1],
    ["maxSockets", 0],
    ["maxSockets", Number.NaN],
    ["maxMessageSize", -1],
    ["threadPriority", -1],
    ["threadSchedulingPolicy", -2],
    ["ioThreads", 2 ** 31],
  ])("%s = %d is EINVAL", (option, value) => {
    const error = thrown(() => new Context({ [option]: value }))
    expect(ZmqError.isInstance(error)).toBe(true)
    expect(error).toMatchObject(INVALID)
  })

  it.each([
    ["blocky", 1, "Option value must be a boolean"],
    ["ipv6", null, "Option value must be a boolean"],
    ["maxSockets", "x", "Option value must be a number"],
    ["ioThreads", undefined, "Option value must be a number"],
  ])("%s = %j is zeromq.js's TypeError", (option, value, message) => {
    expect(() => new Context({ [option]: value } as never)).toThrow(new TypeError(message))
    expect(() => (prop(makeContext())[option] = value)).toThrow(new TypeError(message))
  })

  it("maxSocketsLimit is read-only; unknown options and a non-object are zeromq.js's TypeErrors", () => {
    expect(() => new Context({ maxSocketsLimit: 5 } as never)).toThrow(new TypeError("Cannot set property maxSocketsLimit of #<Context> which has only a getter"))
    expect(() => (prop(makeContext())["maxSocketsLimit"] = 5)).toThrow(new TypeError("Cannot set property maxSocketsLimit of #<Context> which has only a getter"))
    expect(() => new Context({ noSuch: 1 } as never)).toThrow(new TypeError("Cannot add property noSuch, object is not extensible"))
    expect(() => (prop(makeContext())["noSuch"] = 1)).toThrow(new TypeError("Cannot add property noSuch, object is not extensible"))
    expect(() => new Context("x" as never)).toThrow(new TypeError("Options must be an object"))
    expect(() => new Context(null as never)).toThrow(new TypeError("Options must be an object"))
  })

  it("one socket more than maxSockets fails with EMFILE, as in zeromq.js", () => {
    const context = makeContext({ maxSockets: 2 })
    make("Dealer", { context })
    make("Dealer", { context })
    const error = thrown(() => new Dealer({ context }))
    expect(ZmqError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: "EMFILE", errno: 24 })
  })
})
