import { describe, expect, it } from "vitest"
import {
  plainServer,
  ZmtpConnection,
  ZmtpError,
  type ZmtpConnectionOptions,
  type ZmtpEvent,
} from "../src/index.js"

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Two connections joined in memory; `pump` moves bytes both ways until neither has anything to say. */
function pair(a: ZmtpConnectionOptions, b: ZmtpConnectionOptions) {
  const left = new ZmtpConnection(a)
  const right = new ZmtpConnection(b)
  const events = { left: [] as ZmtpEvent[], right: [] as ZmtpEvent[] }
  const pump = (): void => {
    for (let progress = true; progress; ) {
      progress = false
      const toRight = left.dataToSend()
      if (toRight.length > 0 && right.state !== "failed" && right.state !== "closed") {
        events.right.push(...right.receiveData(toRight))
        progress = true
      }
      const toLeft = right.dataToSend()
      if (toLeft.length > 0 && left.state !== "failed" && left.state !== "closed") {
        events.left.push(...left.receiveData(toLeft))
        progress = true
      }
    }
  }
  pump()
  return { left, right, events, pump }
}

function catchError(fn: () => unknown): ZmtpError {
  try {
    fn()
  } catch (error) {
    if (ZmtpError.isInstance(error)) return error
    throw error
  }
  throw new Error("expected a ZmtpError")
}

describe("ZmtpConnection lifecycle", () => {
  it("queues a greeting byte-identical to libzmq's: padding is routing id length + 1", () => {
    const conn = new ZmtpConnection({ socketType: "DEALER", routingId: "abc" })
    const greeting = conn.dataToSend()
    expect(greeting.length).toBe(64)
    expect(Array.from(greeting.subarray(0, 12))).toEqual([0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0x7f, 3, 1])
    expect(new TextDecoder().decode(greeting.subarray(12, 16))).toBe("NULL")
    expect(greeting.subarray(16).every((b) => b === 0)).toBe(true)
  })

  it("reaches ready on both sides and exchanges messages", () => {
    const { left, right, events } = pair({ socketType: "DEALER", routingId: "d1" }, { socketType: "ROUTER" })
    expect(left.state).toBe("ready")
    expect(right.state).toBe("ready")
    expect(events.right.map((e) => e.type)).toEqual(["ready"])
    expect(right.peer?.socketType).toBe("DEALER")
    expect(new TextDecoder().decode(right.peer?.routingId)).toBe("d1")
    expect(right.peer?.zmtpVersion).toEqual({ major: 3, minor: 1 })
    left.send([bytes("a"), new Uint8Array(0), bytes("c")])
    const received = right.receiveData(left.dataToSend())
    expect(received).toEqual([{ type: "message", frames: [bytes("a"), new Uint8Array(0), bytes("c")] }])
  })

  it("speaks to a higher-versioned peer as 3.1", () => {
    const conn = new ZmtpConnection({ socketType: "PAIR" })
    const peer = new ZmtpConnection({ socketType: "PAIR" }).dataToSend()
    peer[10] = 4
    peer[11] = 7
    conn.receiveData(peer)
    expect(conn.state).toBe("handshake")
    const ready = new ZmtpConnection({ socketType: "PAIR" })
    ready.receiveData(conn.dataToSend())
    const readyBytes = ready.dataToSend().subarray(64) // conn has had its greeting already
    const events = conn.receiveData(readyBytes)
    expect(events[0]?.type).toBe("ready")
    expect(conn.peer?.zmtpVersion).toEqual({ major: 4, minor: 1 })
  })

  it("delivers frames that lie inside one chunk as views, and copies frames split across chunks", () => {
    const { left, right } = pair({ socketType: "PUSH" }, { socketType: "PULL" })
    left.send([bytes("hello")])
    left.send([new Uint8Array(1000).fill(7)])
    const wire = left.dataToSend()
    const first = right.receiveData(wire.subarray(0, 100))
    expect(first).toHaveLength(1)
    const view = (first[0] as { frames: Uint8Array[] }).frames[0]!
    expect(view.buffer).toBe(wire.buffer)
    expect(right.hasPartialMessage).toBe(true)
    const second = right.receiveData(wire.subarray(100))
    const copied = (second[0] as { frames: Uint8Array[] }).frames[0]!
    expect(copied.length).toBe(1000)
    expect(copied.every((b) => b === 7)).toBe(true)
    expect(copied.buffer).not.toBe(wire.buffer)
    expect(right.hasPartialMessage).toBe(false)
  })

  it("holds back a multipart message until its last frame arrives", () => {
    const { left, right } = pair({ socketType: "DEALER" }, { socketType: "DEALER" })
    left.send([bytes("one"), bytes("two"), bytes("three")])
    const wire = left.dataToSend()
    const cut = wire.length - 3
    expect(right.receiveData(wire.subarray(0, cut))).toEqual([])
    expect(right.hasPartialMessage).toBe(true)
    expect(right.receiveData(wire.subarray(cut))).toEqual([
      { type: "message", frames: [bytes("one"), bytes("two"), bytes("three")] },
    ])
  })

  it("hands large bodies out by reference in dataToSendSegments()", () => {
    const { left } = pair({ socketType: "PUSH" }, { socketType: "PULL" })
    const big = new Uint8Array(64 * 1024).fill(1)
    left.send([bytes("small"), big])
    const segments = left.dataToSendSegments()
    expect(segments).toContain(big)
    expect(left.pendingBytes).toBe(0)
  })
})

describe("ZmtpConnection misuse is a local error", () => {
  it("rejects send before the handshake with EFSM", () => {
    const conn = new ZmtpConnection({ socketType: "PUSH" })
    const error = catchError(() => conn.send([bytes("x")]))
    expect(error.code).toBe("EFSM")
    expect(error.origin).toBe("local")
  })

  it("rejects an empty message and non-Uint8Array frames with EINVAL", () => {
    const { left } = pair({ socketType: "PUSH" }, { socketType: "PULL" })
    expect(catchError(() => left.send([])).code).toBe("EINVAL")
    expect(catchError(() => left.send(["text" as unknown as Uint8Array])).code).toBe("EINVAL")
    // Nothing of the rejected message was queued.
    expect(left.pendingBytes).toBe(0)
  })

  it("rejects bad options with EINVAL", () => {
    expect(catchError(() => new ZmtpConnection({ socketType: "NOPE" as "PUB" })).code).toBe("EINVAL")
    expect(catchError(() => new ZmtpConnection({ socketType: "DEALER", routingId: new Uint8Array(256) })).code).toBe(
      "EINVAL",
    )
    expect(catchError(() => new ZmtpConnection({ socketType: "DEALER", metadata: { Color: "red" } })).code).toBe(
      "EINVAL",
    )
    expect(catchError(() => new ZmtpConnection({ socketType: "DEALER", maxMessageSize: -2 })).code).toBe("EINVAL")
  })

  it("refuses everything but dataToSend after close, and tells the peer why", () => {
    const { left, right } = pair({ socketType: "PAIR" }, { socketType: "PAIR" })
    left.close("going away")
    expect(left.state).toBe("closed")
    expect(catchError(() => left.send([bytes("x")])).code).toBe("EFSM")
    expect(catchError(() => left.receiveData(new Uint8Array(1))).code).toBe("EFSM")
    const events = right.receiveData(left.dataToSend())
    const last = events.at(-1)
    expect(last?.type).toBe("error")
    const error = (last as { error: ZmtpError }).error
    expect(error.code).toBe("ERR_ZMTP_PEER_ERROR")
    expect(error.reason).toBe("going away")
    expect(error.origin).toBe("remote")
  })

  it("refuses 3.1-only commands to a 3.0 peer with ENOTSUP", () => {
    const { left } = pair({ socketType: "RADIO" }, { socketType: "DISH", zmtpMinorVersion: 0 })
    expect(left.peer?.zmtpVersion.minor).toBe(0)
    expect(catchError(() => left.ping(1000)).code).toBe("ENOTSUP")
    expect(catchError(() => left.join(bytes("g"))).code).toBe("ENOTSUP")
  })

  it("rejects a ping context over 16 bytes", () => {
    const { left } = pair({ socketType: "PAIR" }, { socketType: "PAIR" })
    expect(catchError(() => left.ping(0, new Uint8Array(17))).code).toBe("EINVAL")
  })

  it("rejects resolveAuthentication when nothing is pending", () => {
    const conn = new ZmtpConnection({ socketType: "REP", mechanism: plainServer() })
    expect(catchError(() => conn.resolveAuthentication({ allow: true })).code).toBe("EFSM")
  })
})

describe("ZmtpConnection faults of the peer", () => {
  it("ends the batch with an error event, keeps messages decoded before it, and ignores later bytes", () => {
    const { left, right } = pair({ socketType: "PUSH" }, { socketType: "PULL" })
    left.send([bytes("kept")])
    const good = left.dataToSend()
    const chunk = new Uint8Array(good.length + 4)
    chunk.set(good, 0)
    chunk.set([0x80, 0x01, 0x02, 0x03], good.length) // reserved flag bit
    const events = right.receiveData(chunk)
    expect(events.map((e) => e.type)).toEqual(["message", "error"])
    const error = (events[1] as { error: ZmtpError }).error
    expect(error.code).toBe("ERR_ZMTP_MALFORMED_FRAME")
    expect(right.state).toBe("failed")
    expect(right.error).toBe(error)
    expect(catchError(() => right.receiveData(good)).code).toBe("EFSM")
  })

  it("rejects an oversized frame from its header alone", () => {
    const { left, right } = pair({ socketType: "PUSH" }, { socketType: "PULL", maxMessageSize: 100 })
    left.send([new Uint8Array(101)])
    const wire = left.dataToSend()
    const events = right.receiveData(wire.subarray(0, 9)) // header only
    expect(events).toHaveLength(1)
    expect((events[0] as { error: ZmtpError }).error.code).toBe("EMSGSIZE")
  })

  it("answers PING with PONG and reports both", () => {
    const { left, right } = pair({ socketType: "DEALER" }, { socketType: "ROUTER" })
    left.ping(1500, bytes("ctx"))
    expect(right.receiveData(left.dataToSend())).toEqual([{ type: "ping", ttl: 1500, context: bytes("ctx") }])
    expect(left.receiveData(right.dataToSend())).toEqual([{ type: "pong", context: bytes("ctx") }])
  })

  it("turns a ZMTP 3.0 subscriber's 0x01/0x00 messages into subscribe/cancel events", () => {
    const { left, right } = pair({ socketType: "SUB", zmtpMinorVersion: 0 }, { socketType: "XPUB" })
    left.subscribe(bytes("weather"))
    left.cancel(bytes("weather"))
    const wire = left.dataToSend()
    // Speaking 3.0, the SUB sends messages 01 'weather' and 00 'weather', not SUBSCRIBE/CANCEL commands.
    expect(wire[0]).toBe(0x00) // a message frame, not a command
    expect(right.receiveData(wire)).toEqual([
      { type: "subscribe", topic: bytes("weather") },
      { type: "cancel", topic: bytes("weather") },
    ])
  })

  it("carries X- metadata to the peer, names case-insensitive", () => {
    const { right } = pair({ socketType: "REQ", metadata: { "X-Colour": "blue" } }, { socketType: "REP" })
    expect(right.peer?.metadata.getString("x-colour")).toBe("blue")
    expect(right.peer?.metadata.getString("SOCKET-TYPE")).toBe("REQ")
  })
})

describe("ZmtpError", () => {
  it("is recognised across package copies by its brand", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@zmq-ts/zmtp.ZmtpError")]: true })
    expect(ZmtpError.isInstance(foreign)).toBe(true)
    expect(ZmtpError.isInstance(new Error("x"))).toBe(false)
    expect(ZmtpError.isInstance(null)).toBe(false)
  })
})
