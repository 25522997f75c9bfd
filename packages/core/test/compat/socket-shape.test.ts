/**
 * The shape of sockets and contexts, as zeromq.js 6.8.0 gives them: sealed once made, so a misspelt
 * option throws instead of being silently ignored; `type`, `events` and `context` read-only getters;
 * `type` libzmq's number; PUB and SUB classes of their own (not XPUB and XSUB).
 *
 *   new Dealer() ──▶ Object.isSealed ── dealer.sendHighWatermark = 5 ──▶ TypeError "Cannot add property …"
 *                    dealer.type      ── 5 (ZMQ_DEALER), read-only
 */
import { afterEach, describe, expect, it } from "vitest"
import {
  Context,
  context as defaultContext,
  Dealer,
  Observer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Socket,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "../../src/index.js"

/** zeromq.js's `socket.type` for each class: libzmq's ZMQ_PAIR … ZMQ_XSUB. */
const TYPES = [
  [Pair, 0],
  [Publisher, 1],
  [Subscriber, 2],
  [Request, 3],
  [Reply, 4],
  [Dealer, 5],
  [Router, 6],
  [Pull, 7],
  [Push, 8],
  [XPublisher, 9],
  [XSubscriber, 10],
] as const

const sockets: Socket[] = []
function track<S extends Socket>(socket: S): S {
  sockets.push(socket)
  return socket
}
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})

function prop(target: object): Record<string, unknown> {
  return target as Record<string, unknown>
}

describe("sockets are sealed once made", () => {
  it.each(TYPES.map(([socketClass]) => [socketClass.name, socketClass] as const))("%s", (_name, socketClass) => {
    const socket = track(new socketClass())
    expect(Object.isSealed(socket)).toBe(true)
    expect(Object.isExtensible(socket)).toBe(false)
    // A misspelt option name throws instead of being ignored (zeromq.js's reason to seal).
    expect(() => (prop(socket)["sendHighWatermark"] = 5)).toThrow(new TypeError("Cannot add property sendHighWatermark, object is not extensible"))
    expect(() => Object.defineProperty(socket, "extra", { value: 1 })).toThrow(new TypeError("Cannot define property extra, object is not extensible"))
  })

  it("a subclass with fields of its own cannot be made, as with zeromq.js", () => {
    class WithField extends Dealer {
      extra = 1
    }
    expect(() => new WithField()).toThrow(new TypeError("Cannot define property extra, object is not extensible"))
  })

  it("a subclass that only adds methods works, and a socket class's private state is unaffected", async () => {
    class Named extends Dealer {
      describe(): string {
        return `DEALER ${this.type}`
      }
    }
    const socket = track(new Named({ linger: 0 }))
    expect(socket.describe()).toBe("DEALER 5")
    await socket.bind("inproc://shape-subclass")
    const peer = track(new Dealer())
    peer.connect("inproc://shape-subclass")
    await peer.send("works")
    expect((await socket.receive()).map(String)).toEqual(["works"])
  })

  it("has no own properties but zmq-ts's thread guard (zeromq.js: none); options and internals are not listed", () => {
    const socket = track(new Dealer())
    expect(Object.keys(socket)).toEqual(["threadBound"])
    const listed: string[] = []
    for (const key in socket) listed.push(key)
    expect(listed).toEqual(["threadBound"])
  })
})

describe("type, events and context", () => {
  it.each(TYPES.map(([socketClass, number]) => [socketClass.name, socketClass, number] as const))(
    "%s.type is zeromq.js's number, %i",
    (_name, socketClass, number) => {
      expect(track(new socketClass()).type).toBe(number)
    },
  )

  it.each(["type", "events", "context"])("%s is a read-only getter: assigning it is zeromq.js's TypeError", (name) => {
    const socket = track(new Dealer())
    const before = prop(socket)[name]
    expect(() => (prop(socket)[name] = 3)).toThrow(new TypeError(`Cannot set property ${name} of #<Socket> which has only a getter`))
    expect(prop(socket)[name]).toBe(before)
  })

  it("new Dealer({type: 3}) is refused, and the type stays DEALER's", () => {
    expect(() => new Dealer({ type: 3 } as never)).toThrow(new TypeError("Cannot set property type of #<Socket> which has only a getter"))
  })

  it("events is the same Observer every time; context is the socket's", () => {
    const context = new Context()
    try {
      const socket = track(new Dealer({ context }))
      expect(socket.events).toBeInstanceOf(Observer)
      expect(socket.events).toBe(socket.events)
      expect(socket.context).toBe(context)
      expect(track(new Pull()).context).toBe(defaultContext)
    } finally {
      context.terminate()
    }
  })
})

describe("class relations as in zeromq.js", () => {
  it("Publisher is not an XPublisher, Subscriber not an XSubscriber; all are Sockets", () => {
    const pub = track(new Publisher())
    const sub = track(new Subscriber())
    expect(pub).not.toBeInstanceOf(XPublisher)
    expect(sub).not.toBeInstanceOf(XSubscriber)
    expect(pub).toBeInstanceOf(Socket)
    expect(sub).toBeInstanceOf(Socket)
    // So XPUB's own options are not PUB's.
    for (const option of ["manual", "welcomeMessage", "verbosity"]) expect(option in pub, option).toBe(false)
    expect("subscribe" in pub).toBe(false)
  })

  it("new Socket() is zeromq.js's TypeError (the base class makes no socket without a type)", () => {
    const Base = Socket as unknown as new (...args: unknown[]) => Socket
    expect(() => new Base()).toThrow(new TypeError("Socket type must be a number"))
    expect(() => new Base(5)).toThrow(expect.objectContaining({ code: "ENOTSUP" }))
  })
})

describe("contexts are sealed once made", () => {
  it("a new Context and the default one", () => {
    const context = new Context()
    try {
      for (const target of [context, defaultContext]) {
        expect(Object.isSealed(target)).toBe(true)
        expect(() => (prop(target)["noSuch"] = 1)).toThrow(new TypeError("Cannot add property noSuch, object is not extensible"))
      }
      expect(Object.keys(context)).toEqual(["threadBound"])
    } finally {
      context.terminate()
    }
  })
})
