/**
 * The v5 compatibility API's surface (zeromq.js `zeromq/v5-compat`): its exports and constants, the
 * Context helpers, `socket()`/`createSocket()`, and every socket option through `getsockopt`/`setsockopt`
 * and the short-name properties. Messaging is in v5-messaging.test.ts.
 */
import { Buffer } from "node:buffer"
import { connect } from "node:net"
import { describe, expect, it } from "vitest"
import { capability, context, version as coreVersion, ZmqError } from "../../src/index.js"
import * as zmq from "../../src/v5-compat.js"
import { bound, socketsClosedAfterEach } from "../helpers/v5-sockets.js"

const open = socketsClosedAfterEach()

/** The error `action` throws (fails the test if it throws none). */
function thrown(action: () => unknown): Error {
  try {
    action()
  } catch (error) {
    return error as Error
  }
  throw new Error("expected an error")
}

describe("v5-compat exports", () => {
  it("exports libzmq's numbers for the socket types", () => {
    expect([
      zmq.ZMQ_PAIR,
      zmq.ZMQ_PUB,
      zmq.ZMQ_SUB,
      zmq.ZMQ_REQ,
      zmq.ZMQ_REP,
      zmq.ZMQ_DEALER,
      zmq.ZMQ_XREQ,
      zmq.ZMQ_ROUTER,
      zmq.ZMQ_XREP,
      zmq.ZMQ_PULL,
      zmq.ZMQ_PUSH,
      zmq.ZMQ_XPUB,
      zmq.ZMQ_XSUB,
      zmq.ZMQ_STREAM,
    ]).toEqual([0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11])
    expect(zmq.types).toEqual({
      pub: 1,
      xpub: 9,
      sub: 2,
      xsub: 10,
      req: 3,
      xreq: 5,
      rep: 4,
      xrep: 6,
      push: 8,
      pull: 7,
      dealer: 5,
      router: 6,
      pair: 0,
      stream: 11,
    })
  })

  it("exports libzmq's numbers for the options, flags, poll bits, states and capabilities", () => {
    expect({
      affinity: zmq.ZMQ_AFFINITY,
      identity: zmq.ZMQ_IDENTITY,
      subscribe: zmq.ZMQ_SUBSCRIBE,
      unsubscribe: zmq.ZMQ_UNSUBSCRIBE,
      rate: zmq.ZMQ_RATE,
      recoveryIvl: zmq.ZMQ_RECOVERY_IVL,
      recoveryIvlMsec: zmq.ZMQ_RECOVERY_IVL_MSEC,
      sndbuf: zmq.ZMQ_SNDBUF,
      rcvbuf: zmq.ZMQ_RCVBUF,
      rcvmore: zmq.ZMQ_RCVMORE,
      fd: zmq.ZMQ_FD,
      events: zmq.ZMQ_EVENTS,
      type: zmq.ZMQ_TYPE,
      linger: zmq.ZMQ_LINGER,
      reconnectIvl: zmq.ZMQ_RECONNECT_IVL,
      backlog: zmq.ZMQ_BACKLOG,
      reconnectIvlMax: zmq.ZMQ_RECONNECT_IVL_MAX,
      maxmsgsize: zmq.ZMQ_MAXMSGSIZE,
      sndhwm: zmq.ZMQ_SNDHWM,
      rcvhwm: zmq.ZMQ_RCVHWM,
      multicastHops: zmq.ZMQ_MULTICAST_HOPS,
      rcvtimeo: zmq.ZMQ_RCVTIMEO,
      sndtimeo: zmq.ZMQ_SNDTIMEO,
      ipv4only: zmq.ZMQ_IPV4ONLY,
      lastEndpoint: zmq.ZMQ_LAST_ENDPOINT,
      routerMandatory: zmq.ZMQ_ROUTER_MANDATORY,
      tcpKeepalive: zmq.ZMQ_TCP_KEEPALIVE,
      tcpKeepaliveCnt: zmq.ZMQ_TCP_KEEPALIVE_CNT,
      tcpKeepaliveIdle: zmq.ZMQ_TCP_KEEPALIVE_IDLE,
      tcpKeepaliveIntvl: zmq.ZMQ_TCP_KEEPALIVE_INTVL,
      tcpAcceptFilter: zmq.ZMQ_TCP_ACCEPT_FILTER,
      delayAttachOnConnect: zmq.ZMQ_DELAY_ATTACH_ON_CONNECT,
      xpubVerbose: zmq.ZMQ_XPUB_VERBOSE,
      routerRaw: zmq.ZMQ_ROUTER_RAW,
      ipv6: zmq.ZMQ_IPV6,
      mechanism: zmq.ZMQ_MECHANISM,
      plainServer: zmq.ZMQ_PLAIN_SERVER,
      plainUsername: zmq.ZMQ_PLAIN_USERNAME,
      plainPassword: zmq.ZMQ_PLAIN_PASSWORD,
      curveServer: zmq.ZMQ_CURVE_SERVER,
      curvePublickey: zmq.ZMQ_CURVE_PUBLICKEY,
      curveSecretkey: zmq.ZMQ_CURVE_SECRETKEY,
      curveServerkey: zmq.ZMQ_CURVE_SERVERKEY,
      zapDomain: zmq.ZMQ_ZAP_DOMAIN,
      routerHandover: zmq.ZMQ_ROUTER_HANDOVER,
      heartbeatIvl: zmq.ZMQ_HEARTBEAT_IVL,
      heartbeatTtl: zmq.ZMQ_HEARTBEAT_TTL,
      heartbeatTimeout: zmq.ZMQ_HEARTBEAT_TIMEOUT,
      connectTimeout: zmq.ZMQ_CONNECT_TIMEOUT,
      ioThreads: zmq.ZMQ_IO_THREADS,
      maxSockets: zmq.ZMQ_MAX_SOCKETS,
    }).toEqual({
      affinity: 4,
      identity: 5,
      subscribe: 6,
      unsubscribe: 7,
      rate: 8,
      recoveryIvl: 9,
      recoveryIvlMsec: 9,
      sndbuf: 11,
      rcvbuf: 12,
      rcvmore: 13,
      fd: 14,
      events: 15,
      type: 16,
      linger: 17,
      reconnectIvl: 18,
      backlog: 19,
      reconnectIvlMax: 21,
      maxmsgsize: 22,
      sndhwm: 23,
      rcvhwm: 24,
      multicastHops: 25,
      rcvtimeo: 27,
      sndtimeo: 28,
      ipv4only: 31,
      lastEndpoint: 32,
      routerMandatory: 33,
      tcpKeepalive: 34,
      tcpKeepaliveCnt: 35,
      tcpKeepaliveIdle: 36,
      tcpKeepaliveIntvl: 37,
      tcpAcceptFilter: 38,
      delayAttachOnConnect: 39,
      xpubVerbose: 40,
      routerRaw: 41,
      ipv6: 42,
      mechanism: 43,
      plainServer: 44,
      plainUsername: 45,
      plainPassword: 46,
      curveServer: 47,
      curvePublickey: 48,
      curveSecretkey: 49,
      curveServerkey: 50,
      zapDomain: 55,
      routerHandover: 56,
      heartbeatIvl: 75,
      heartbeatTtl: 76,
      heartbeatTimeout: 77,
      connectTimeout: 79,
      ioThreads: 1,
      maxSockets: 2,
    })
    expect([zmq.ZMQ_DONTWAIT, zmq.ZMQ_SNDMORE]).toEqual([1, 2])
    expect([zmq.ZMQ_POLLIN, zmq.ZMQ_POLLOUT, zmq.ZMQ_POLLERR]).toEqual([1, 2, 4])
    expect([zmq.STATE_READY, zmq.STATE_BUSY, zmq.STATE_CLOSED]).toEqual([0, 1, 2])
    expect([zmq.ZMQ_CAN_MONITOR, zmq.ZMQ_CAN_DISCONNECT, zmq.ZMQ_CAN_UNBIND, zmq.ZMQ_CAN_SET_CTX]).toEqual([1, 1, 1, 1])
  })

  it("maps v5's short option names to option numbers", () => {
    expect(zmq.options).toMatchObject({
      _fd: 14,
      _ioevents: 15,
      _receiveMore: 13,
      _subscribe: 6,
      _unsubscribe: 7,
      identity: 5,
      linger: 17,
      last_endpoint: 32,
      reconnect_ivl: 18,
      plain_username: 45,
      heartbeat_ivl: 75,
      connect_timeout: 79,
    })
    expect(Object.keys(zmq.options)).toHaveLength(28)
  })

  it("names monitor events by libzmq's event numbers, as v5's zmq.events did", () => {
    expect(zmq.events).toEqual({
      1: "connect",
      2: "connect_delay",
      4: "connect_retry",
      8: "listen",
      16: "bind_error",
      32: "accept",
      64: "accept_error",
      128: "close",
      256: "close_error",
      512: "disconnect",
    })
  })

  it("reports the libzmq version zmq-ts matches, as `version` and `zmqVersion()`", () => {
    expect(zmq.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(zmq.version).toBe(coreVersion)
    expect(zmq.zmqVersion()).toBe(coreVersion)
  })

  it("exports socket as an alias of createSocket, and the Socket and Context constructors", () => {
    expect(zmq.socket).toBe(zmq.createSocket)
    expect(typeof zmq.Socket).toBe("function")
    expect(typeof zmq.Context).toBe("function")
    expect(typeof zmq.proxy).toBe("function")
  })

  it("has curveKeypair: Z85 keys as { public, secret }, as zeromq.js's v5 API", () => {
    expect(capability.curve).toBe(true)
    const keys = zmq.curveKeypair()
    expect(Object.keys(keys)).toEqual(["public", "secret"])
    expect(keys.public).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/)
    expect(keys.secret).toHaveLength(40)
    expect(keys.public).not.toBe(zmq.curveKeypair().public)
  })
})

describe("v5-compat Context", () => {
  it("sets and reads the default context's I/O threads", () => {
    const before = zmq.Context.getMaxThreads()
    try {
      zmq.Context.setMaxThreads(3)
      expect(zmq.Context.getMaxThreads()).toBe(3)
      expect(context.ioThreads).toBe(3)
      // The value goes to the context's option as zeromq.js passes it: truncated, range-checked, type-checked.
      zmq.Context.setMaxThreads(2.9)
      expect(zmq.Context.getMaxThreads()).toBe(2)
      const error = thrown(() => zmq.Context.setMaxThreads(-1))
      expect(error.message).toBe("Invalid argument")
      expect((error as ZmqError).code).toBe("EINVAL")
      expect(() => zmq.Context.setMaxThreads("2" as unknown as number)).toThrow(new TypeError("Option value must be a number"))
    } finally {
      zmq.Context.setMaxThreads(before)
    }
  })

  it("sets and reads the default context's maximum number of sockets", () => {
    const before = zmq.Context.getMaxSockets()
    try {
      zmq.Context.setMaxSockets(256)
      expect(zmq.Context.getMaxSockets()).toBe(256)
      expect(context.maxSockets).toBe(256)
      const error = thrown(() => zmq.Context.setMaxSockets(0))
      expect(error.message).toBe("Invalid argument")
      expect(ZmqError.isInstance(error) && error.code).toBe("EINVAL")
      expect((error as ZmqError).details).toContain("maxSockets")
    } finally {
      zmq.Context.setMaxSockets(before)
    }
  })

  it("cannot be instantiated, with zeromq.js's message", () => {
    expect(() => new zmq.Context()).toThrow(new Error("Context cannot be instantiated in compatibility mode"))
  })
})

describe("v5-compat socket()", () => {
  it.each(Object.entries(zmq.types))("makes a %s socket (ZMQ_TYPE %i)", (name, number) => {
    const sock = open(name as zmq.SocketType)
    expect(sock.type).toBe(name)
    expect(sock.getsockopt(zmq.ZMQ_TYPE)).toBe(number)
    expect(sock).toBeInstanceOf(zmq.Socket)
    expect(sock.closed).toBe(false)
  })

  it("refuses an unknown type with zeromq.js's message", () => {
    expect(() => zmq.socket("nope" as zmq.SocketType)).toThrow(new Error("Invalid socket type: nope"))
  })

  it("makes stream sockets that speak raw TCP: [routing id, bytes] in and out", async () => {
    const sock = open("stream")
    const endpoint = await bound(sock, "tcp://127.0.0.1:*")
    const messages: Buffer[][] = []
    const two = new Promise<void>((resolve) =>
      sock.on("message", (...frames: Buffer[]) => {
        messages.push(frames)
        if (messages.length === 2) resolve()
      }),
    )
    const peer = connect(Number(endpoint.slice(endpoint.lastIndexOf(":") + 1)), "127.0.0.1")
    peer.write("ping")
    await two
    const [[id, notification], [from, data]] = messages as [[Buffer, Buffer], [Buffer, Buffer]]
    expect(notification.length).toBe(0)
    expect(from.equals(id)).toBe(true)
    expect(data.toString()).toBe("ping")
    const answered = new Promise<string>((resolve) => peer.once("data", (chunk: Buffer) => resolve(chunk.toString())))
    sock.send([id, "pong"])
    expect(await answered).toBe("pong")
    peer.destroy()
  })

  it("applies the options it is given, by short name", () => {
    const sock = open("dealer", { linger: 0, backlog: 30, identity: "me", reconnect_ivl: 250 })
    expect(sock.getsockopt("backlog")).toBe(30)
    expect(sock.linger).toBe(0)
    expect(sock.identity).toBe("me")
    expect(sock.getsockopt(zmq.ZMQ_RECONNECT_IVL)).toBe(250)
  })

  it("assigns every name it is given, as zeromq.js: another name becomes a plain property; a bad value throws", () => {
    const sock = open("req", { nope: 1, linger: 0 } as unknown as zmq.CreateSocketOptions)
    expect((sock as unknown as { nope: unknown }).nope).toBe(1)
    expect(sock.linger).toBe(0)
    expect(() => zmq.socket("req", { linger: -5 })).toThrow("Invalid argument")
    // The short-name properties pass a string on as a Buffer, as zeromq.js's do: not a number.
    expect(() => zmq.socket("req", { linger: "5" })).toThrow(new TypeError("Option value must be a number"))
  })

  it("closes, and says so", () => {
    const sock = open("req")
    expect(sock.close()).toBe(sock)
    expect(sock.closed).toBe(true)
    sock.close() // twice is harmless
  })
})

describe("v5-compat socket options", () => {
  it("sets and reads options by number and by name, returning the socket for chaining", () => {
    const sock = open("req")
    expect(sock.getsockopt(zmq.ZMQ_BACKLOG)).toBe(100)
    expect(sock.setsockopt(zmq.ZMQ_BACKLOG, 75)).toBe(sock)
    expect(sock.getsockopt(zmq.ZMQ_BACKLOG)).toBe(75)
    expect(sock.setsockopt("backlog", 50).getsockopt("backlog")).toBe(50)
  })

  it("has every short option name as a property", () => {
    const sock = open("req")
    expect(typeof sock.backlog).toBe("number")
    sock.backlog = 42
    expect(sock.getsockopt(zmq.ZMQ_BACKLOG)).toBe(42)
    sock.heartbeat_ivl = 500
    expect(sock.getsockopt(zmq.ZMQ_HEARTBEAT_IVL)).toBe(500)
    for (const name of Object.keys(zmq.options)) expect(Object.getOwnPropertyDescriptor(zmq.Socket.prototype, name)?.set).toBeTypeOf("function")
  })

  it.each([
    ["linger", zmq.ZMQ_LINGER, -1, 0],
    ["reconnect interval", zmq.ZMQ_RECONNECT_IVL, 100, 300],
    ["backlog", zmq.ZMQ_BACKLOG, 100, 5],
    ["reconnect interval max", zmq.ZMQ_RECONNECT_IVL_MAX, 0, 1000],
    ["max message size", zmq.ZMQ_MAXMSGSIZE, -1, 4096],
    ["send high-water mark", zmq.ZMQ_SNDHWM, 1000, 10],
    ["receive high-water mark", zmq.ZMQ_RCVHWM, 1000, 20],
    ["receive timeout", zmq.ZMQ_RCVTIMEO, -1, 50],
    ["send timeout", zmq.ZMQ_SNDTIMEO, -1, 60],
    ["tcp keepalive", zmq.ZMQ_TCP_KEEPALIVE, -1, 1],
    ["tcp keepalive idle", zmq.ZMQ_TCP_KEEPALIVE_IDLE, -1, 30],
    ["heartbeat interval", zmq.ZMQ_HEARTBEAT_IVL, 0, 100],
    ["heartbeat ttl", zmq.ZMQ_HEARTBEAT_TTL, 0, 2000],
    ["heartbeat timeout", zmq.ZMQ_HEARTBEAT_TIMEOUT, -1, 300], // libzmq's -1: use the heartbeat interval
    ["connect timeout", zmq.ZMQ_CONNECT_TIMEOUT, 0, 700],
  ])("reads the default %s and sets it (option %i)", (_name, option, byDefault, value) => {
    const sock = open("dealer")
    expect(sock.getsockopt(option)).toBe(byDefault)
    sock.setsockopt(option, value)
    expect(sock.getsockopt(option)).toBe(value)
  })

  it("sets the routing id from a string or a Buffer; types without one read undefined and refuse it", () => {
    const sock = open("dealer")
    expect(sock.getsockopt(zmq.ZMQ_IDENTITY)).toBeNull()
    sock.setsockopt(zmq.ZMQ_IDENTITY, "alpha")
    expect(sock.identity).toBe("alpha")
    sock.identity = Buffer.from("beta")
    expect(sock.getsockopt("identity")).toBe("beta")
    expect(() => sock.setsockopt(zmq.ZMQ_IDENTITY, "")).toThrow("Invalid argument")
    const pub = open("pub")
    expect(pub.identity).toBeUndefined()
    expect(() => (pub.identity = "x")).toThrow(new TypeError("Cannot add property routingId, object is not extensible"))
  })

  it("sends a routing id of any bytes, as zeromq.js: bytes that are not UTF-8 reach the peer as they are", async () => {
    const router = open("router")
    const address = `inproc://v5-api-identity-${process.pid}`
    await new Promise<void>((resolve, reject) => router.bind(address, (error) => (error ? reject(error) : resolve())))
    const dealer = open("dealer")
    dealer.setsockopt(zmq.ZMQ_IDENTITY, Buffer.from([0xff, 0xfe]))
    dealer.connect(address)
    const received = new Promise<Buffer>((resolve) => router.once("message", (id: Buffer) => resolve(id)))
    dealer.send("hi")
    expect((await received).toString("hex")).toBe("fffe")
  })

  it("reads boolean options as zeromq.js does: IPV4ONLY as a boolean, the others as 1 or 0", () => {
    const sock = open("dealer")
    expect(sock.getsockopt(zmq.ZMQ_IPV6)).toBe(0)
    expect(sock.getsockopt(zmq.ZMQ_IPV4ONLY)).toBe(true)
    sock.setsockopt(zmq.ZMQ_IPV6, 1)
    expect(sock.getsockopt(zmq.ZMQ_IPV6)).toBe(1)
    expect(sock.getsockopt(zmq.ZMQ_IPV4ONLY)).toBe(false)
    sock.setsockopt(zmq.ZMQ_IPV4ONLY, 1)
    expect(sock.getsockopt(zmq.ZMQ_IPV6)).toBe(0)
    expect(sock.getsockopt(zmq.ZMQ_DELAY_ATTACH_ON_CONNECT)).toBe(0)
    sock.setsockopt(zmq.ZMQ_DELAY_ATTACH_ON_CONNECT, true)
    expect(sock.getsockopt(zmq.ZMQ_DELAY_ATTACH_ON_CONNECT)).toBe(1)
  })

  it("reports the mechanism the PLAIN options choose", () => {
    const server = open("rep")
    const client = open("req")
    expect(server.mechanism).toBe(0)
    server.plain_server = 1
    expect(server.getsockopt(zmq.ZMQ_PLAIN_SERVER)).toBe(1)
    expect(server.mechanism).toBe(1)
    client.plain_username = "user"
    client.setsockopt(zmq.ZMQ_PLAIN_PASSWORD, Buffer.from("pass"))
    expect(client.getsockopt(zmq.ZMQ_PLAIN_USERNAME)).toBe("user")
    expect(client.plain_password).toBe("pass")
    expect(client.getsockopt(zmq.ZMQ_MECHANISM)).toBe(1)
    expect(() => client.setsockopt(zmq.ZMQ_MECHANISM, 1)).toThrow(new Error("Unknown option"))
  })

  it("sets ROUTER's mandatory and handover on ROUTER sockets only", () => {
    const router = open("router")
    expect(router.getsockopt(zmq.ZMQ_ROUTER_MANDATORY)).toBe(0)
    router.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1)
    expect(router.getsockopt(zmq.ZMQ_ROUTER_MANDATORY)).toBe(1)
    router.setsockopt(zmq.ZMQ_ROUTER_HANDOVER, 1)
    expect(() => router.getsockopt(zmq.ZMQ_ROUTER_HANDOVER)).toThrow(new Error("Unknown option"))
    // Other types have no such option: the sealed socket refuses it, as zeromq.js's does.
    const push = open("push")
    expect(() => push.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1)).toThrow(new TypeError("Cannot add property mandatory, object is not extensible"))
    expect(() => push.setsockopt(zmq.ZMQ_ROUTER_HANDOVER, 1)).toThrow(new TypeError("Cannot add property handover, object is not extensible"))
    expect(push.getsockopt(zmq.ZMQ_ROUTER_MANDATORY)).toBe(0)
  })

  it("sets XPUB_VERBOSE on XPUB sockets, and cannot read it, as zeromq.js", () => {
    const xpub = open("xpub")
    xpub.setsockopt(zmq.ZMQ_XPUB_VERBOSE, 1)
    expect(() => xpub.getsockopt(zmq.ZMQ_XPUB_VERBOSE)).toThrow(new Error("Reading ZMQ_XPUB_VERBOSE is not supported"))
    expect(() => open("pull").setsockopt(zmq.ZMQ_XPUB_VERBOSE, 1)).toThrow(new TypeError("Cannot add property verbosity, object is not extensible"))
  })

  it("refuses what the compatibility layer does not support, with zeromq.js's messages", () => {
    const sock = open("router")
    expect(() => sock.getsockopt(zmq.ZMQ_RCVMORE)).toThrow(new Error("ZMQ_RCVMORE is not supported in compatibility mode"))
    expect(() => sock._receiveMore).toThrow(new Error("ZMQ_RCVMORE is not supported in compatibility mode"))
    expect(() => sock.getsockopt(zmq.ZMQ_FD)).toThrow(new Error("ZMQ_FD is not supported in compatibility mode"))
    expect(() => sock._fd).toThrow(new Error("ZMQ_FD is not supported in compatibility mode"))
    expect(() => sock.setsockopt(zmq.ZMQ_ROUTER_RAW, 1)).toThrow(new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode"))
    expect(() => sock.getsockopt(zmq.ZMQ_ROUTER_RAW)).toThrow(new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode"))
  })

  it("answers 'Unknown option' for numbers and names it does not know, and for the missing side of an option", () => {
    const sock = open("sub")
    expect(() => sock.getsockopt(9999)).toThrow(new Error("Unknown option"))
    expect(() => sock.setsockopt(9999, 1)).toThrow(new Error("Unknown option"))
    expect(() => sock.getsockopt("nope" as zmq.ShortOptionName)).toThrow(new Error("Unknown option"))
    expect(() => sock.getsockopt(zmq.ZMQ_SUBSCRIBE)).toThrow(new Error("Unknown option"))
    expect(() => sock.setsockopt(zmq.ZMQ_LAST_ENDPOINT, "tcp://x:1")).toThrow(new Error("Unknown option"))
    expect(() => sock.setsockopt(zmq.ZMQ_TYPE, 1)).toThrow(new Error("Unknown option"))
  })

  it.each([
    ["affinity", zmq.ZMQ_AFFINITY, 0, 3],
    ["rate", zmq.ZMQ_RATE, 100, 1000],
    ["recovery_ivl", zmq.ZMQ_RECOVERY_IVL, 10_000, 5],
    ["sndbuf", zmq.ZMQ_SNDBUF, -1, 65536],
    ["rcvbuf", zmq.ZMQ_RCVBUF, -1, 65536],
    ["multicast hops", zmq.ZMQ_MULTICAST_HOPS, 1, 4],
  ])("reads %s as libzmq's default, and stores and reads back what it is set to (no effect in zmq-ts)", (_name, option, byDefault, value) => {
    const sock = open("dealer")
    expect(sock.getsockopt(option)).toBe(byDefault)
    expect(sock.setsockopt(option, value).getsockopt(option)).toBe(value)
    expect(() => sock.setsockopt(option, "many")).toThrow(new TypeError("Option value must be a number"))
  })

  it("reads each option of another socket type as undefined, as zeromq.js", () => {
    expect(open("pull").getsockopt(zmq.ZMQ_SNDBUF)).toBeUndefined()
    expect(open("push").rcvbuf).toBeUndefined()
    expect(open("pub").getsockopt(zmq.ZMQ_RCVHWM)).toBeUndefined()
  })

  it("sets and reads the CURVE options: keys as Z85, curve_server as 0/1, the mechanism as libzmq's number", () => {
    const keys = zmq.curveKeypair()
    const server = open("router")
    expect([server.getsockopt(zmq.ZMQ_CURVE_SERVER), server.getsockopt(zmq.ZMQ_CURVE_SECRETKEY)]).toEqual([0, null])
    server.setsockopt(zmq.ZMQ_CURVE_SERVER, 1).setsockopt(zmq.ZMQ_CURVE_SECRETKEY, keys.secret)
    expect([server.curve_server, server.curve_secretkey, server.getsockopt(zmq.ZMQ_MECHANISM)]).toEqual([1, keys.secret, 2])
    const client = open("dealer")
    client.curve_serverkey = keys.public
    client.curve_publickey = keys.public
    expect([client.curve_server, client.curve_serverkey, client.curve_publickey]).toEqual([0, keys.public, keys.public])
    expect(() => client.setsockopt(zmq.ZMQ_CURVE_SECRETKEY, "x".repeat(39))).toThrow("Invalid argument")
  })

  it("reads zap_domain as unset, then the domain set (ZAP is implemented)", () => {
    const sock = open("dealer")
    expect(sock.getsockopt(zmq.ZMQ_ZAP_DOMAIN)).toBe(null)
    sock.setsockopt(zmq.ZMQ_ZAP_DOMAIN, "global")
    expect(sock.getsockopt(zmq.ZMQ_ZAP_DOMAIN)).toBe("global")
    expect(sock.zap_domain).toBe("global")
  })

  it("refuses a TCP accept filter (zmq-ts has none) but accepts clearing it", () => {
    const sock = open("pull")
    sock.setsockopt(zmq.ZMQ_TCP_ACCEPT_FILTER, null)
    expect(() => sock.setsockopt(zmq.ZMQ_TCP_ACCEPT_FILTER, "127.0.0.1")).toThrow("Operation not supported")
  })

  it("fails option values as the v6 setters do: a wrong type is zeromq.js's TypeError, a bad value EINVAL", () => {
    const sock = open("dealer")
    expect(() => sock.setsockopt(zmq.ZMQ_LINGER, "soon")).toThrow(new TypeError("Option value must be a number"))
    const error = thrown(() => sock.setsockopt(zmq.ZMQ_LINGER, -2))
    expect(error.message).toBe("Invalid argument")
    expect((error as ZmqError).code).toBe("EINVAL")
    expect((error as ZmqError).errno).toBe(22)
    // TCP_KEEPCNT is accepted and read back, as in zeromq.js (Node.js cannot apply it).
    sock.setsockopt(zmq.ZMQ_TCP_KEEPALIVE_CNT, 5)
    expect(sock.getsockopt(zmq.ZMQ_TCP_KEEPALIVE_CNT)).toBe(5)
  })

  it("reports the last bound endpoint with its port resolved", async () => {
    const sock = open("pull")
    expect(sock.last_endpoint).toBeNull()
    await new Promise<void>((resolve, reject) => sock.bind("tcp://127.0.0.1:*", (error) => (error ? reject(error) : resolve())))
    expect(sock.getsockopt(zmq.ZMQ_LAST_ENDPOINT)).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    expect(sock.last_endpoint).not.toContain("*")
  })

  it("reads ZMQ_EVENTS from the socket's state", () => {
    expect(open("push").getsockopt(zmq.ZMQ_EVENTS)).toBe(0) // no peer: cannot send yet
    expect(open("router")._ioevents).toBe(zmq.ZMQ_POLLOUT) // ROUTER can always send
  })

  it("subscribes and unsubscribes SUB sockets only, with zeromq.js's message for others", () => {
    const sub = open("sub")
    expect(sub.subscribe("topic")).toBe(sub)
    expect(sub.unsubscribe("topic")).toBe(sub)
    sub.setsockopt(zmq.ZMQ_SUBSCRIBE, Buffer.from("a"))
    sub._unsubscribe = "a"
    for (const type of ["pub", "xsub", "xpub", "req"] as const) {
      const other = open(type)
      expect(() => other.subscribe("x")).toThrow(new Error("Subscriber socket required"))
      expect(() => other.unsubscribe("x")).toThrow(new Error("Subscriber socket required"))
    }
    // zeromq.js calls the SUB method on any socket, and on others JavaScript throws a TypeError.
    expect(() => open("pub").setsockopt(zmq.ZMQ_SUBSCRIBE, "x")).toThrow(TypeError)
    expect(() => open("xpub").setsockopt(zmq.ZMQ_UNSUBSCRIBE, "x")).toThrow(TypeError)
  })

  it("fails option calls on a closed socket as zeromq.js does, with ENOTSOCK", () => {
    const sock = open("sub")
    sock.close()
    for (const action of [() => sock.subscribe("x"), () => sock.getsockopt(zmq.ZMQ_LINGER), () => sock.setsockopt("linger", 0), () => sock.linger]) {
      const error = thrown(action)
      expect(error.message).toBe("Socket operation on non-socket")
      expect((error as ZmqError).code).toBe("ENOTSOCK")
    }
  })

  it("fails option calls with ENOTSOCK from close() on, also while the v6 socket's close waits for a bind", () => {
    const sock = open("pull")
    sock.bindSync("tcp://127.0.0.1:*")
    sock.close()
    expect(sock.closed).toBe(true)
    expect((thrown(() => sock.getsockopt(zmq.ZMQ_LINGER)) as ZmqError).code).toBe("ENOTSOCK")
    expect((thrown(() => sock.setsockopt(zmq.ZMQ_LINGER, 0)) as ZmqError).code).toBe("ENOTSOCK")
    expect(() => sock.getsockopt(9999)).toThrow(new Error("Unknown option"))
  })
})
