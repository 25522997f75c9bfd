/**
 * CURVE between two of our own `ZmtpConnection`s, in memory (see helpers/pair.ts):
 *
 *   client (curveClient, DEALER) ──HELLO, INITIATE, MESSAGE…──▶ server (curveServer, ROUTER)
 *                               ◀──WELCOME, READY, MESSAGE…───
 *
 * Command sizes and nonces are checked on the wire bytes against libzmq 4.3.5's layout; failures against
 * the error kinds libzmq's monitor reports (tests/test_security_curve.cpp).
 */
import {
  FLAG_COMMAND,
  FLAG_MORE,
  ZmtpConnection,
  ZmtpErrorCode,
  type AuthenticationRequest,
  type ZmtpConnectionOptions,
  type ZmtpError,
  type ZmtpEvent,
} from "@zmq-ts/zmtp"
import { beforeAll, describe, expect, it } from "vitest"
import { curveClient, curveServer, decodeCurveKey, loadCurve, type CurveClientOptions } from "../src/index.js"
import { referenceHello } from "./helpers/reference.js"
import { allowAll, ascii, command, concat, curveGreeting, frame, hex, Pair, parseFrames, pattern, spy, type PairOptions } from "./helpers/pair.js"

// The key pairs of libzmq's zmq_curve(7) page.
const SERVER_PUBLIC = decodeCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "server public")
const SERVER_SECRET = decodeCurveKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "server secret")
const CLIENT_PUBLIC = decodeCurveKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "client public")
const CLIENT_SECRET = decodeCurveKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "client secret")
const CLIENT_KEYS: CurveClientOptions = { publicKey: CLIENT_PUBLIC, secretKey: CLIENT_SECRET, serverKey: SERVER_PUBLIC }

beforeAll(async () => {
  await loadCurve()
})

function clientOptions(overrides: Partial<CurveClientOptions> = {}, connection: Partial<ZmtpConnectionOptions> = {}): ZmtpConnectionOptions {
  return { socketType: "DEALER", routingId: "client-1", mechanism: curveClient({ ...CLIENT_KEYS, ...overrides }), ...connection }
}

function serverOptions(connection: Partial<ZmtpConnectionOptions> = {}): ZmtpConnectionOptions {
  return { socketType: "ROUTER", mechanism: curveServer({ secretKey: SERVER_SECRET }), ...connection }
}

function handshake(client = clientOptions(), server = serverOptions(), options: PairOptions = { onEvent: allowAll }): Pair {
  const pair = new Pair(client, server, options).pump()
  return pair
}

function errorOf(events: readonly ZmtpEvent[]): ZmtpError | undefined {
  const event = events.find((e) => e.type === "error")
  return event?.type === "error" ? event.error : undefined
}

function messages(events: readonly ZmtpEvent[]): Uint8Array[][] {
  return events.flatMap((event) => (event.type === "message" ? [event.frames] : []))
}

/** Takes what `from` queued and feeds it to `to`, returning the bytes and the events. */
function deliver(from: ZmtpConnection, to: ZmtpConnection): { bytes: Uint8Array; events: ZmtpEvent[] } {
  const bytes = new Uint8Array(from.dataToSend())
  return { bytes, events: to.receiveData(bytes) }
}

function shortNonce(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at)
}

describe("handshake", () => {
  it("completes and authenticates the client's long-term key", () => {
    const requests: AuthenticationRequest[] = []
    const pair = handshake(clientOptions(), serverOptions({ peerAddress: "tcp://127.0.0.1:1234" }), {
      onEvent: (side, event, connection) => {
        if (event.type !== "authenticate") return
        requests.push(event.request)
        return connection.resolveAuthentication({ allow: true, userId: "alice" })
      },
    })
    expect(requests).toHaveLength(1)
    expect(requests[0]!.mechanism).toBe("CURVE")
    expect(hex(requests[0]!.publicKey!)).toBe(hex(CLIENT_PUBLIC))
    expect(requests[0]!.peerAddress).toBe("tcp://127.0.0.1:1234")
    expect(pair.client.connection.state).toBe("ready")
    expect(pair.server.connection.state).toBe("ready")
    const serverPeer = pair.server.connection.peer!
    expect(serverPeer).toMatchObject({ socketType: "DEALER", mechanism: "CURVE", userId: "alice" })
    expect(new TextDecoder().decode(serverPeer.routingId)).toBe("client-1")
    expect(pair.client.connection.peer).toMatchObject({ socketType: "ROUTER", mechanism: "CURVE" })
  })

  it("sends HELLO 200, WELCOME 168, INITIATE 257 + metadata (long frame), READY 30 + metadata", () => {
    const pair = handshake()
    const clientFrames = parseFrames(pair.client.sent())
    const serverFrames = parseFrames(pair.server.sent())
    const [hello, initiate] = clientFrames
    const [welcome, ready] = serverFrames
    // Socket-Type DEALER (1+11+4+6), Identity client-1 (1+8+4+8); Socket-Type ROUTER, an empty Identity.
    const clientMetadata = 22 + 21
    const serverMetadata = 22 + 13
    expect(hello!.flags).toBe(0x04)
    expect(hello!.body.length).toBe(200)
    expect(hex(hello!.body.subarray(0, 8))).toBe(hex(concat([ascii("\x05HELLO"), Uint8Array.of(1, 0)])))
    expect(hello!.body.subarray(8, 80).every((octet) => octet === 0)).toBe(true)
    expect(shortNonce(hello!.body, 112)).toBe(1n)
    expect(welcome!.flags).toBe(0x04)
    expect(welcome!.body.length).toBe(168)
    expect(hex(welcome!.body.subarray(0, 8))).toBe(hex(ascii("\x07WELCOME")))
    expect(initiate!.flags).toBe(0x06)
    expect(initiate!.headerSize).toBe(9)
    expect(initiate!.body.length).toBe(257 + clientMetadata)
    expect(hex(initiate!.body.subarray(0, 9))).toBe(hex(ascii("\x08INITIATE")))
    expect(shortNonce(initiate!.body, 105)).toBe(1n + 1n)
    expect(ready!.flags).toBe(0x04)
    expect(ready!.body.length).toBe(30 + serverMetadata)
    expect(shortNonce(ready!.body, 6)).toBe(1n)
  })

  it("INITIATE is 257 bytes plus the metadata (libzmq's minimum is the fixed part)", () => {
    // A PAIR socket sends only Socket-Type PAIR (1+11+4+4).
    const pair = handshake({ socketType: "PAIR", mechanism: curveClient(CLIENT_KEYS) }, serverOptions({ socketType: "PAIR" }))
    const initiate = parseFrames(pair.client.sent())[1]!
    expect(initiate.body.length).toBe(257 + 1 + 11 + 4 + 4)
  })

  it("completes and delivers whatever way the bytes are cut (byte by byte here)", () => {
    const client = new ZmtpConnection(clientOptions())
    const server = new ZmtpConnection(serverOptions())
    const events: ZmtpEvent[] = []
    const trickle = (from: ZmtpConnection, to: ZmtpConnection) => {
      const bytes = new Uint8Array(from.dataToSend())
      for (let i = 0; i < bytes.length; i++) {
        for (const event of to.receiveData(bytes.subarray(i, i + 1))) {
          events.push(event)
          if (event.type === "authenticate") events.push(...to.resolveAuthentication({ allow: true }))
        }
      }
      return bytes.length
    }
    for (let round = 0; round < 6; round++) trickle(client, server) + trickle(server, client)
    client.send([ascii("a"), pattern(1000, 2)])
    trickle(client, server)
    expect(events.map((e) => e.type)).toEqual(["authenticate", "ready", "ready", "message"])
    expect(messages(events)[0]!.map(hex)).toEqual([hex(ascii("a")), hex(pattern(1000, 2))])
  })

  it("uses a fresh short-term key, cookie and nonce per connection", () => {
    const a = parseFrames(handshake().server.sent())[0]!.body
    const b = parseFrames(handshake().server.sent())[0]!.body
    expect(hex(a)).not.toBe(hex(b))
    const helloA = parseFrames(handshake().client.sent())[0]!.body
    const helloB = parseFrames(handshake().client.sent())[0]!.body
    expect(hex(helloA.subarray(80, 112))).not.toBe(hex(helloB.subarray(80, 112)))
  })
})

describe("data phase", () => {
  const cases: Array<[string, Uint8Array[]]> = [
    ["empty", [new Uint8Array(0)]],
    ["small", [ascii("hello")]],
    ["multipart", [ascii("a"), pattern(300, 1), ascii("c")]],
    ["empty with MORE", [new Uint8Array(0), new Uint8Array(0)]],
    ["large (1 MiB)", [pattern(1024 * 1024, 7)]],
  ]
  for (const [name, frames] of cases) {
    it(`round-trips ${name} messages both ways`, () => {
      const pair = handshake()
      pair.client.connection.send(frames)
      pair.server.connection.send(frames)
      pair.pump()
      expect(messages(pair.server.events).map((m) => m.map(hex))).toEqual([frames.map(hex)])
      expect(messages(pair.client.events).map((m) => m.map(hex))).toEqual([frames.map(hex)])
    })
  }

  it("wraps each frame as a MESSAGE of 33 + size bytes in an outer frame with flags 0 (libzmq)", () => {
    const pair = handshake()
    const before = pair.client.sent().length
    pair.client.connection.send([ascii("12345"), new Uint8Array(0)])
    pair.server.connection.send([ascii("x")])
    pair.pump()
    const [first, second] = parseFrames(pair.client.sent(), before)
    expect(first!.flags).toBe(0x00)
    expect(first!.body.length).toBe(33 + 5)
    expect(hex(first!.body.subarray(0, 8))).toBe(hex(ascii("\x07MESSAGE")))
    expect(shortNonce(first!.body, 8)).toBe(3n)
    expect(second!.body.length).toBe(33)
    expect(shortNonce(second!.body, 8)).toBe(4n)
    const fromServer = parseFrames(pair.server.sent()).at(-1)!
    expect(fromServer.flags).toBe(0x00)
    expect(shortNonce(fromServer.body, 8)).toBe(2n)
  })

  it("carries PING/PONG and SUBSCRIBE/CANCEL inside MESSAGE with the inner COMMAND bit", () => {
    const server = spy(curveServer({ secretKey: SERVER_SECRET }))
    const client = spy(curveClient(CLIENT_KEYS))
    const pair = handshake({ socketType: "SUB", mechanism: client.mechanism }, { socketType: "PUB", mechanism: server.mechanism })
    pair.client.connection.subscribe(ascii("topic"))
    pair.client.connection.ping(1000, ascii("ctx"))
    pair.client.connection.cancel(ascii("topic"))
    pair.pump()
    expect(pair.server.events.map((e) => e.type)).toEqual(["authenticate", "ready", "subscribe", "ping", "cancel"])
    expect(pair.client.events.map((e) => e.type)).toEqual(["ready", "pong"])
    expect(server.unwrapped.map((f) => [f.flags, hex(f.body)])).toEqual([
      [FLAG_COMMAND, hex(concat([ascii("\x09SUBSCRIBE"), ascii("topic")]))],
      [FLAG_COMMAND, hex(concat([ascii("\x04PING"), Uint8Array.of(0, 10), ascii("ctx")]))],
      [FLAG_COMMAND, hex(concat([ascii("\x06CANCEL"), ascii("topic")]))],
    ])
    expect(client.unwrapped.map((f) => [f.flags, hex(f.body)])).toEqual([[FLAG_COMMAND, hex(concat([ascii("\x04PONG"), ascii("ctx")]))]])
  })

  it("sends a ZMTP 3.0 peer its subscriptions as 0x01/0x00 message frames inside MESSAGE", () => {
    const server = spy(curveServer({ secretKey: SERVER_SECRET }))
    const pair = handshake({ socketType: "SUB", mechanism: curveClient(CLIENT_KEYS), zmtpMinorVersion: 0 }, { socketType: "PUB", mechanism: server.mechanism })
    pair.client.connection.subscribe(ascii("t"))
    pair.client.connection.cancel(ascii("t"))
    pair.server.connection.send([ascii("t"), ascii("more")])
    pair.pump()
    expect(server.unwrapped.map((f) => [f.flags, hex(f.body)])).toEqual([
      [0, hex(ascii("\x01t"))],
      [0, hex(ascii("\x00t"))],
    ])
    expect(pair.server.events.map((e) => e.type)).toEqual(["authenticate", "ready", "subscribe", "cancel"])
    expect(messages(pair.client.events).map((m) => m.map(hex))).toEqual([[hex(ascii("t")), hex(ascii("more"))]])
    expect(server.wrapped.map((f) => f.flags)).toEqual([FLAG_MORE, 0])
  })

  it("accepts nonces that skip ahead, refuses a replayed or lower one (INVALID_SEQUENCE)", () => {
    for (const order of ["replay", "lower"] as const) {
      const pair = handshake()
      const client = pair.client.connection
      const server = pair.server.connection
      client.send([ascii("one")])
      const one = new Uint8Array(client.dataToSend())
      client.send([ascii("two")])
      const two = new Uint8Array(client.dataToSend())
      // "lower": nonce 4 first (a gap is fine), then 3.
      expect(messages(server.receiveData(order === "replay" ? one : two)).length).toBe(1)
      const events = server.receiveData(one)
      expect(errorOf(events)?.code, order).toBe(ZmtpErrorCode.INVALID_SEQUENCE)
      expect(messages(events)).toEqual([])
    }
  })

  it("refuses a data frame that is not a well-formed MESSAGE", () => {
    const cases: Array<[string, Uint8Array, ZmtpErrorCode]> = [
      ["empty frame", frame(0, new Uint8Array(0)), ZmtpErrorCode.MALFORMED_COMMAND],
      ["plain message", frame(0, ascii("\x05hello")), ZmtpErrorCode.UNEXPECTED_COMMAND],
      ["clear ERROR command", command("ERROR", ascii("\x03400")), ZmtpErrorCode.UNEXPECTED_COMMAND],
      ["MESSAGE of 32 bytes", frame(0, concat([ascii("\x07MESSAGE"), new Uint8Array(24)])), ZmtpErrorCode.MALFORMED_COMMAND_MESSAGE],
      ["forged box", frame(0, concat([ascii("\x07MESSAGE"), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 9), pattern(40, 3)])), ZmtpErrorCode.CRYPTOGRAPHIC],
    ]
    for (const [name, bytes, code] of cases) {
      const pair = handshake()
      const events = pair.inject("server", bytes)
      expect(errorOf(events)?.code, name).toBe(code)
      expect(messages(events), name).toEqual([])
    }
  })

  it("refuses a MESSAGE whose box was tampered with", () => {
    const pair = handshake()
    pair.client.connection.send([ascii("secret")])
    const bytes = new Uint8Array(pair.client.connection.dataToSend())
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01
    const events = pair.inject("server", bytes)
    expect(errorOf(events)?.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(messages(events)).toEqual([])
  })

  it("dispose() zeroes the session: the transform refuses to wrap", () => {
    const mechanism = curveClient(CLIENT_KEYS)
    const pair = handshake({ socketType: "DEALER", mechanism })
    mechanism.dispose!()
    expect(() => pair.client.connection.send([ascii("x")])).toThrow(expect.objectContaining({ code: ZmtpErrorCode.INVALID_STATE }))
  })
})

describe("key failures", () => {
  it.each([
    ["all-zero", new Uint8Array(32)],
    ["low-order (u = 1)", Uint8Array.of(1, ...new Uint8Array(31))],
    ["low-order (order 8)", Uint8Array.from(Buffer.from("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", "hex"))],
  ])("a client with an %s server key fails with CRYPTOGRAPHIC before sending HELLO", (_name, serverKey) => {
    const pair = handshake(clientOptions({ serverKey }))
    const error = errorOf(pair.client.events)
    expect(error?.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(error?.origin).toBe("local")
    expect(pair.client.sent().length).toBe(64) // the greeting only
    expect(pair.server.events).toEqual([])
  })

  it("a client with the wrong server key: the server fails with CRYPTOGRAPHIC and sends no ERROR", () => {
    const pair = handshake(clientOptions({ serverKey: CLIENT_PUBLIC }))
    expect(errorOf(pair.server.events)?.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(pair.server.sent().length).toBe(64)
    expect(pair.client.connection.state).toBe("handshake")
  })

  it("a client whose public key does not match its secret key fails the vouch (CRYPTOGRAPHIC)", () => {
    const pair = handshake(clientOptions({ publicKey: SERVER_PUBLIC }))
    expect(errorOf(pair.server.events)?.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(pair.server.events.some((e) => e.type === "authenticate")).toBe(false)
  })

  it.each([
    ["cookie", 30],
    ["box", 150],
  ])("a corrupted INITIATE %s (body byte %i) is CRYPTOGRAPHIC, with no ERROR", (_name, index) => {
    const pair = handshake(clientOptions(), serverOptions(), {
      onEvent: allowAll,
      tamper: (from, bytes) => {
        if (from !== "client" || bytes[0] !== 0x06 || bytes[9] !== 8) return bytes
        const copy = new Uint8Array(bytes)
        copy[9 + index] = copy[9 + index] === 0 ? 1 : 0 // libzmq's test: initiate[i] = !initiate[i]
        return copy
      },
    })
    expect(errorOf(pair.server.events)?.code).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    expect(parseFrames(pair.server.sent()).map((f) => f.body.length)).toEqual([168]) // WELCOME only
  })
})

describe("malformed handshake commands", () => {
  /** A server connection that has our CURVE client greeting; returns it and its events so far. */
  function rawServer(): ZmtpConnection {
    const server = new ZmtpConnection(serverOptions())
    server.dataToSend()
    expect(server.receiveData(curveGreeting(false))).toEqual([])
    return server
  }

  /** A valid HELLO command body from a real client. */
  function validHello(): { body: Uint8Array; client: ZmtpConnection } {
    const client = new ZmtpConnection(clientOptions())
    client.dataToSend()
    client.receiveData(curveGreeting(true))
    return { body: new Uint8Array(parseFrames(client.dataToSend(), 0)[0]!.body), client }
  }

  it("HELLO of the wrong length is MALFORMED_COMMAND_HELLO", () => {
    expect(errorOf(rawServer().receiveData(Uint8Array.of(0x04, 0x06, ...ascii("\x05HELLO"))))?.code).toBe(ZmtpErrorCode.MALFORMED_COMMAND_HELLO)
  })

  it("HELLO version 2.0 is MALFORMED_COMMAND_HELLO", () => {
    const { body } = validHello()
    body[6] = 2
    expect(errorOf(rawServer().receiveData(frame(0x04, body)))?.code).toBe(ZmtpErrorCode.MALFORMED_COMMAND_HELLO)
  })

  it("a misspelt HELLO is UNEXPECTED_COMMAND, as in libzmq", () => {
    const { body } = validHello()
    body[5] = "X".charCodeAt(0)
    expect(errorOf(rawServer().receiveData(frame(0x04, body)))?.code).toBe(ZmtpErrorCode.UNEXPECTED_COMMAND)
  })

  it("accepts a HELLO made by libsodium directly, with nonce 0 (libzmq's own tests send one)", () => {
    const server = rawServer()
    expect(server.receiveData(frame(0x04, referenceHello(SERVER_PUBLIC, 0n)))).toEqual([])
    expect(parseFrames(server.dataToSend(), 0).map((f) => f.body.length)).toEqual([168])
  })

  it("INITIATE shorter than 257 bytes is MALFORMED_COMMAND_INITIATE; a misspelt one UNEXPECTED_COMMAND", () => {
    for (const [bytes, code] of [
      [Uint8Array.of(0x04, 0x09, ...ascii("\x08INITIATE")), ZmtpErrorCode.MALFORMED_COMMAND_INITIATE],
      [command("INITIATX", new Uint8Array(248)), ZmtpErrorCode.UNEXPECTED_COMMAND],
    ] as const) {
      const server = rawServer()
      const { body } = validHello()
      expect(server.receiveData(frame(0x04, body))).toEqual([])
      expect(parseFrames(server.dataToSend(), 0)[0]!.body.length).toBe(168)
      expect(errorOf(server.receiveData(bytes))?.code).toBe(code)
    }
  })

  it("a client refuses a WELCOME of the wrong length, a short READY and a READY before WELCOME", () => {
    const cases: Array<[Uint8Array, ZmtpErrorCode]> = [
      [command("WELCOME", new Uint8Array(159)), ZmtpErrorCode.MALFORMED_COMMAND_WELCOME],
      [command("WELCOME", new Uint8Array(160)), ZmtpErrorCode.CRYPTOGRAPHIC],
      [command("READY", new Uint8Array(30)), ZmtpErrorCode.UNEXPECTED_COMMAND],
    ]
    for (const [bytes, code] of cases) {
      const { client } = validHello()
      expect(errorOf(client.receiveData(bytes))?.code).toBe(code)
    }
    // A short READY after a real WELCOME.
    const pair = new Pair(clientOptions(), serverOptions(), {
      tamper: (from, bytes) => (from === "server" && bytes[2] === 5 && bytes[3] === "R".charCodeAt(0) ? command("READY", new Uint8Array(23)) : bytes),
      onEvent: allowAll,
    }).pump()
    expect(errorOf(pair.client.events)?.code).toBe(ZmtpErrorCode.MALFORMED_COMMAND_READY)
  })
})

describe("authentication", () => {
  it("denied with 400: the server sends ERROR \"400\" and both sides fail", () => {
    const pair = handshake(clientOptions(), serverOptions(), {
      onEvent: (_side, event, connection) =>
        event.type === "authenticate" ? connection.resolveAuthentication({ allow: false, statusCode: 400, statusText: "unknown key" }) : undefined,
    })
    const serverError = errorOf(pair.server.events)
    expect(serverError).toMatchObject({ code: ZmtpErrorCode.AUTHENTICATION_FAILED, reason: "400" })
    expect(hex(parseFrames(pair.server.sent()).at(-1)!.body)).toBe(hex(ascii("\x05ERROR\x03400")))
    expect(errorOf(pair.client.events)).toMatchObject({ code: ZmtpErrorCode.PEER_ERROR, reason: "400" })
  })

  it("denied with 500 sends ERROR \"500\"; with 300 the client is dropped without an ERROR", () => {
    for (const statusCode of [300, 500] as const) {
      const pair = handshake(clientOptions(), serverOptions(), {
        onEvent: (_side, event, connection) => (event.type === "authenticate" ? connection.resolveAuthentication({ allow: false, statusCode }) : undefined),
      })
      expect(errorOf(pair.server.events)).toMatchObject({ code: ZmtpErrorCode.AUTHENTICATION_FAILED, reason: String(statusCode) })
      const last = parseFrames(pair.server.sent()).at(-1)!
      if (statusCode === 300) {
        expect(last.body.length).toBe(168) // WELCOME was the last thing sent
        expect(pair.client.connection.state).toBe("handshake")
      } else {
        expect(hex(last.body)).toBe(hex(ascii("\x05ERROR\x03500")))
        expect(errorOf(pair.client.events)).toMatchObject({ code: ZmtpErrorCode.PEER_ERROR, reason: "500" })
      }
    }
  })

  it("a synchronous authenticator gets the client key and decides at once", () => {
    const seen: AuthenticationRequest[] = []
    const allow = handshake(clientOptions(), {
      socketType: "ROUTER",
      mechanism: curveServer({
        secretKey: SERVER_SECRET,
        authenticate: (request) => {
          seen.push(request)
          return { allow: true, userId: "bob" }
        },
      }),
    }, {})
    expect(hex(seen[0]!.publicKey!)).toBe(hex(CLIENT_PUBLIC))
    expect(allow.server.connection.peer?.userId).toBe("bob")
    expect(allow.server.events.map((e) => e.type)).toEqual(["ready"])
    const deny = handshake(clientOptions(), { socketType: "ROUTER", mechanism: curveServer({ secretKey: SERVER_SECRET, authenticate: () => ({ allow: false }) }) }, {})
    expect(errorOf(deny.server.events)).toMatchObject({ code: ZmtpErrorCode.AUTHENTICATION_FAILED, reason: "400" })
  })

  it("an answer given from inside the authenticate event (a receiver callback) waits for the metadata", () => {
    const client = new ZmtpConnection(clientOptions())
    const server = new ZmtpConnection(serverOptions())
    const seen: string[] = []
    const receiver = {
      frame: () => seen.push("frame"),
      message: () => seen.push("message"),
      event: (event: ZmtpEvent) => {
        seen.push(event.type)
        if (event.type === "authenticate") for (const e of server.resolveAuthentication({ allow: true })) seen.push(e.type)
      },
    }
    for (let i = 0; i < 4; i++) {
      client.receiveData(new Uint8Array(server.dataToSend()))
      server.receiveData(new Uint8Array(client.dataToSend()), receiver)
    }
    expect(seen).toEqual(["authenticate", "ready"])
    expect(server.state).toBe("ready")
    expect(client.state).toBe("ready")
  })

  it("resolveAuthentication without a pending request is a local EFSM error", () => {
    const pair = handshake()
    expect(() => pair.server.connection.resolveAuthentication({ allow: true })).toThrow(expect.objectContaining({ code: ZmtpErrorCode.INVALID_STATE }))
  })

  it("INITIATE metadata is checked after the authentication request (libzmq's order)", () => {
    const pair = handshake(clientOptions({}, { socketType: "PUB" }), serverOptions({ socketType: "PUB" }), {})
    expect(pair.server.events.map((e) => e.type)).toEqual(["authenticate", "error"])
    expect(errorOf(pair.server.events)?.code).toBe(ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE)
  })
})
