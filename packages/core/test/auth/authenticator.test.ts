/**
 * The ZAP handler on its own: each test drives an Authenticator with RFC 27 requests from a DEALER in the
 * same context, as libzmq's session would (zap-peer.ts), and checks the six reply frames exactly.
 *
 *   ZapPeer (DEALER) ──inproc://zeromq.zap.01──▶ Authenticator (ROUTER) ──▶ "decision" events
 */
import { Buffer } from "node:buffer"
import { randomBytes } from "node:crypto"
import { on } from "node:events"
import { mkdtemp, rm, unlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { z85Decode, z85Encode } from "@zmq-ts/zmtp"
import { Context, Dealer, ZmqError } from "../../src/index.js"
import { Authenticator, CURVE_ALLOW_ANY, createCertificate, writeCertificate, ZAP_ENDPOINT, type ZapDecision } from "../../src/auth.js"
import { plain, ZapPeer } from "./zap-peer.js"

let context: Context
let auth: Authenticator
let peer: ZapPeer
let decisions: ZapDecision[]

beforeEach(async () => {
  context = new Context()
  auth = new Authenticator({ context })
  decisions = []
  auth.on("decision", (decision) => decisions.push(decision))
  await auth.start()
  peer = new ZapPeer(context)
})

afterEach(async () => {
  await peer[Symbol.asyncDispose]()
  await auth.stop()
  context.terminate()
})

const OK = (requestId: string, userId = ""): string[] => ["1.0", requestId, "200", "OK", userId, ""]
const NO = (requestId: string, text: string, status = "400"): string[] => ["1.0", requestId, status, text, "", ""]

function newKey(): string {
  return z85Encode(randomBytes(32))
}

describe("NULL and the address lists", () => {
  it("lets every NULL peer in while no address list is set (classic ZeroMQ), with an empty user id", async () => {
    expect((await peer.request({ requestId: "7", address: "10.1.2.3" })).frames).toEqual(OK("7"))
    expect((await peer.request({ requestId: "8", address: "" })).frames).toEqual(OK("8"))
  })

  it("with an allow list, lets in only the listed addresses", async () => {
    auth.allow("127.0.0.1", "10.0.0.5")
    expect((await peer.request({ requestId: "a", address: "127.0.0.1" })).frames).toEqual(OK("a"))
    expect((await peer.request({ requestId: "b", address: "10.0.0.5" })).frames).toEqual(OK("b"))
    expect((await peer.request({ requestId: "c", address: "10.0.0.6" })).frames).toEqual(NO("c", "Address not allowed"))
    expect((await peer.request({ requestId: "d", address: "" })).frames).toEqual(NO("d", "Address not allowed"))
  })

  it("with a deny list, refuses the listed addresses and lets the others in", async () => {
    auth.deny("192.168.1.66")
    expect((await peer.request({ requestId: "1", address: "192.168.1.66" })).frames).toEqual(NO("1", "Address denied"))
    expect((await peer.request({ requestId: "2", address: "192.168.1.67" })).frames).toEqual(OK("2"))
  })

  it("a denied address stays denied when it is also allowed", async () => {
    auth.allow("10.0.0.0/8")
    auth.deny("10.0.0.66")
    expect((await peer.request({ address: "10.0.0.66" })).text).toBe("Address denied")
    expect((await peer.request({ address: "10.0.0.67" })).status).toBe("200")
    expect((await peer.request({ address: "11.0.0.1" })).text).toBe("Address not allowed")
  })

  it("matches IP addresses by value: IPv4-mapped IPv6, other spellings of IPv6, CIDR ranges", async () => {
    auth.allow("127.0.0.1", "::1", "172.16.0.0/12", "fd00::/8")
    for (const address of ["::ffff:127.0.0.1", "0:0:0:0:0:0:0:1", "172.31.255.255", "::ffff:172.16.0.1", "fd12::34"]) {
      expect((await peer.request({ address })).status, address).toBe("200")
    }
    for (const address of ["127.0.0.2", "172.32.0.0", "fe00::1", "localhost"]) {
      expect((await peer.request({ address })).status, address).toBe("400")
    }
  })

  it("an exact text that is no IP address matches itself only", async () => {
    auth.deny("")
    expect((await peer.request({ address: "" })).text).toBe("Address denied")
    expect((await peer.request({ address: "127.0.0.1" })).status).toBe("200")
  })

  it("refuses a malformed range at once", () => {
    expect(() => auth.allow("10.0.0.0/33")).toThrow(TypeError)
    expect(() => auth.deny("nonsense/8")).toThrow(TypeError)
    expect(() => auth.allow(42 as never)).toThrow(TypeError)
  })

  it("the address lists come before PLAIN, which an allowed address must still pass", async () => {
    auth.allow("127.0.0.1")
    auth.configurePlain({ admin: "secret" })
    const good = plain("admin", "secret")
    expect((await peer.request({ requestId: "1", mechanism: "PLAIN", credentials: good })).frames).toEqual(OK("1", "admin"))
    expect((await peer.request({ requestId: "2", mechanism: "PLAIN", credentials: plain("admin", "nope") })).frames).toEqual(NO("2", "Invalid password"))
    expect((await peer.request({ requestId: "3", address: "10.9.9.9", mechanism: "PLAIN", credentials: good })).frames).toEqual(NO("3", "Address not allowed"))
  })

  it("a NULL request with credentials is refused", async () => {
    expect((await peer.request({ requestId: "x", credentials: ["surprise"] })).frames).toEqual(NO("x", "Invalid credentials"))
  })
})

describe("PLAIN", () => {
  it("checks a username → password record; the user id is the username", async () => {
    auth.configurePlain({ admin: "secret", "ünïcødé": "pässwörd" })
    expect((await peer.request({ requestId: "1", mechanism: "PLAIN", credentials: plain("admin", "secret") })).frames).toEqual(OK("1", "admin"))
    const unicode = await peer.request({ mechanism: "PLAIN", credentials: plain("ünïcødé", "pässwörd") })
    expect(unicode.status).toBe("200")
    expect(Buffer.from(unicode.userId, "latin1").toString("utf8")).toBe("ünïcødé")
    expect((await peer.request({ requestId: "2", mechanism: "PLAIN", credentials: plain("admin", "secreT") })).frames).toEqual(NO("2", "Invalid password"))
    expect((await peer.request({ requestId: "3", mechanism: "PLAIN", credentials: plain("admin", "") })).frames).toEqual(NO("3", "Invalid password"))
    expect((await peer.request({ requestId: "4", mechanism: "PLAIN", credentials: plain("root", "secret") })).frames).toEqual(NO("4", "Invalid username"))
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("__proto__", "") })).text).toBe("Invalid username")
  })

  it("takes a Map, and copies what it is given", async () => {
    const passwords = new Map([["alice", "one"]])
    auth.configurePlain(passwords)
    passwords.set("alice", "two")
    passwords.set("bob", "three")
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("alice", "one") })).status).toBe("200")
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("bob", "three") })).text).toBe("Invalid username")
  })

  it("refuses PLAIN while no passwords are configured", async () => {
    expect((await peer.request({ requestId: "1", mechanism: "PLAIN", credentials: plain("a", "b") })).frames).toEqual(NO("1", "No passwords defined"))
  })

  it("refuses credentials that are not two frames, or not UTF-8", async () => {
    auth.configurePlain({ admin: "secret" })
    expect((await peer.request({ requestId: "1", mechanism: "PLAIN", credentials: ["admin"] })).frames).toEqual(NO("1", "Invalid credentials"))
    expect((await peer.request({ requestId: "2", mechanism: "PLAIN", credentials: ["admin", "secret", "x"] })).frames).toEqual(NO("2", "Invalid credentials"))
    expect((await peer.request({ requestId: "3", mechanism: "PLAIN", credentials: [Buffer.from([0xff]), "secret"] })).frames).toEqual(NO("3", "Invalid credentials"))
  })

  it("asks a synchronous callback, with the request", async () => {
    const asked: Array<[string, string, string, string]> = []
    auth.configurePlain((username, password, request) => {
      asked.push([username, password, request.domain, request.address])
      return username === "admin" && password === "secret"
    })
    expect((await peer.request({ requestId: "1", domain: "global", mechanism: "PLAIN", credentials: plain("admin", "secret") })).frames).toEqual(OK("1", "admin"))
    expect((await peer.request({ requestId: "2", mechanism: "PLAIN", credentials: plain("admin", "guess") })).frames).toEqual(NO("2", "Invalid username or password"))
    expect(asked).toEqual([
      ["admin", "secret", "global", "127.0.0.1"],
      ["admin", "guess", "", "127.0.0.1"],
    ])
  })

  it("awaits an asynchronous callback", async () => {
    auth.configurePlain(async (username) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return username === "later"
    })
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("later", "") })).status).toBe("200")
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("never", "") })).status).toBe("400")
  })

  it("answers 500 when the callback throws or rejects, reports the error, and goes on serving", async () => {
    const boom = new Error("database down")
    let calls = 0
    auth.configurePlain(async () => {
      calls++
      if (calls === 1) throw boom
      if (calls === 2) return Promise.reject(new Error("again"))
      return true
    })
    expect((await peer.request({ requestId: "1", mechanism: "PLAIN", credentials: plain("a", "b") })).frames).toEqual(NO("1", "Internal error", "500"))
    expect((await peer.request({ requestId: "2", mechanism: "PLAIN", credentials: plain("a", "b") })).frames).toEqual(NO("2", "Internal error", "500"))
    expect((await peer.request({ requestId: "3", mechanism: "PLAIN", credentials: plain("a", "b") })).frames).toEqual(OK("3", "a"))
    expect(decisions[0]).toMatchObject({ status: 500, allowed: false, error: boom })
  })

  it("a callback that returns something other than true refuses", async () => {
    auth.configurePlain(() => "yes" as never)
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("a", "b") })).status).toBe("400")
  })

  it("refuses misconfiguration at once", () => {
    expect(() => auth.configurePlain("domain" as never)).toThrow(TypeError)
    expect(() => auth.configurePlain({ admin: 42 } as never)).toThrow(TypeError)
    expect(() => auth.configurePlain(null as never)).toThrow(TypeError)
  })
})

describe("CURVE", () => {
  const curve = (key: Uint8Array): { mechanism: string; credentials: Uint8Array[] } => ({ mechanism: "CURVE", credentials: [key] })

  it("accepts the listed keys (Z85 or bytes); the user id is the key in Z85", async () => {
    const a = randomBytes(32)
    const b = randomBytes(32)
    auth.configureCurve([z85Encode(a), b])
    expect((await peer.request({ requestId: "1", ...curve(a) })).frames).toEqual(OK("1", z85Encode(a)))
    expect((await peer.request({ requestId: "2", ...curve(b) })).frames).toEqual(OK("2", z85Encode(b)))
    expect((await peer.request({ requestId: "3", ...curve(randomBytes(32)) })).frames).toEqual(NO("3", "Unknown key"))
  })

  it("refuses CURVE while no policy is configured, and a credential that is not one 32-byte key", async () => {
    expect((await peer.request({ requestId: "1", ...curve(randomBytes(32)) })).frames).toEqual(NO("1", "Unknown domain"))
    auth.configureCurve(CURVE_ALLOW_ANY)
    expect((await peer.request({ requestId: "2", ...curve(randomBytes(31)) })).frames).toEqual(NO("2", "Invalid credentials"))
    expect((await peer.request({ requestId: "3", mechanism: "CURVE" })).frames).toEqual(NO("3", "Invalid credentials"))
    expect((await peer.request({ requestId: "4", mechanism: "CURVE", credentials: [randomBytes(32), randomBytes(32)] })).frames).toEqual(NO("4", "Invalid credentials"))
  })

  it("CURVE_ALLOW_ANY accepts every key", async () => {
    auth.configureCurve(CURVE_ALLOW_ANY)
    const key = randomBytes(32)
    expect((await peer.request({ requestId: "1", ...curve(key) })).frames).toEqual(OK("1", z85Encode(key)))
  })

  it("asks a callback (sync or async) with the key in Z85", async () => {
    const good = randomBytes(32)
    const seen: string[] = []
    auth.configureCurve(async (publicKey) => {
      seen.push(publicKey)
      return publicKey === z85Encode(good)
    })
    expect((await peer.request(curve(good))).status).toBe("200")
    expect((await peer.request(curve(randomBytes(32)))).text).toBe("Unknown key")
    expect(seen[0]).toBe(z85Encode(good))
    auth.configureCurve(() => {
      throw new Error("no")
    })
    expect((await peer.request(curve(good))).status).toBe("500")
  })

  it("reads a folder of certificates, and again on reloadCertificates()", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zmqts-certs-"))
    try {
      const alice = await createCertificate(folder, "alice")
      const bob = await createCertificate(folder, "bob")
      auth.configureCurve({ directory: folder })
      const key = (z85: string): { mechanism: string; credentials: Uint8Array[] } => curve(Buffer.from(z85Decode(z85)))
      expect((await peer.request({ requestId: "1", ...key(alice.publicKey) })).frames).toEqual(OK("1", alice.publicKey))
      expect((await peer.request(key(bob.publicKey))).status).toBe("200")

      // A certificate added later counts only once the folder is read again.
      const carolKey = newKey()
      await writeCertificate(join(folder, "carol.key"), { publicKey: carolKey })
      expect((await peer.request(key(carolKey))).text).toBe("Unknown key")
      await unlink(bob.publicFile)
      const [reload, ...others] = await auth.reloadCertificates()
      expect(others).toEqual([])
      expect(reload).toEqual({ domain: "*", directory: folder, keys: 2, skipped: [] })
      expect((await peer.request(key(carolKey))).status).toBe("200")
      expect((await peer.request(key(bob.publicKey))).text).toBe("Unknown key")
      expect((await peer.request(key(alice.publicKey))).status).toBe("200")
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it("a certificate folder that cannot be read: configureCurve throws, reloadCertificates rejects and keeps the keys", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zmqts-certs-"))
    expect(() => auth.configureCurve({ directory: join(folder, "missing") })).toThrow(/ENOENT/)
    const alice = await createCertificate(folder, "alice")
    auth.configureCurve("servers", { directory: folder })
    await rm(folder, { recursive: true, force: true })
    await expect(auth.reloadCertificates()).rejects.toThrow(/ENOENT/)
    expect((await peer.request({ domain: "servers", mechanism: "CURVE", credentials: [z85Decode(alice.publicKey)] })).status).toBe("200")
  })

  it("refuses misconfiguration at once", () => {
    expect(() => auth.configureCurve(newKey() as never)).toThrow(/keys in an array/)
    expect(() => auth.configureCurve(["too short"])).toThrow(TypeError)
    expect(() => auth.configureCurve([randomBytes(31)])).toThrow(TypeError)
    expect(() => auth.configureCurve(["#".repeat(40)])).toThrow(TypeError)
    expect(() => auth.configureCurve(42 as never)).toThrow(TypeError)
    expect(() => auth.configureCurve({ directory: 42 } as never)).toThrow(TypeError)
  })
})

describe("domains", () => {
  it("a domain's own policy first, then the policy of \"*\"", async () => {
    auth.configurePlain({ everyone: "pw" })
    auth.configurePlain("admin", { root: "toor" })
    const login = (domain: string, username: string, password: string) => peer.request({ domain, mechanism: "PLAIN", credentials: plain(username, password) })
    expect((await login("admin", "root", "toor")).status).toBe("200")
    expect((await login("admin", "everyone", "pw")).text).toBe("Invalid username")
    expect((await login("other", "everyone", "pw")).status).toBe("200")
    expect((await login("", "everyone", "pw")).status).toBe("200")
    expect((await login("other", "root", "toor")).text).toBe("Invalid username")
  })

  it("each mechanism falls back on its own: a domain with only CURVE takes PLAIN from \"*\"", async () => {
    const key = randomBytes(32)
    auth.configurePlain({ u: "p" })
    auth.configureCurve("servers", [key])
    expect((await peer.request({ domain: "servers", mechanism: "PLAIN", credentials: plain("u", "p") })).status).toBe("200")
    expect((await peer.request({ domain: "servers", mechanism: "CURVE", credentials: [key] })).status).toBe("200")
    expect((await peer.request({ domain: "clients", mechanism: "CURVE", credentials: [key] })).text).toBe("Unknown domain")
  })

  it("without a \"*\" policy, an unknown domain is refused", async () => {
    auth.configurePlain("admin", { root: "toor" })
    expect((await peer.request({ domain: "other", mechanism: "PLAIN", credentials: plain("root", "toor") })).text).toBe("Invalid domain")
  })

  it("configuring a domain again replaces its policy for that mechanism", async () => {
    auth.configurePlain({ a: "1" })
    auth.configurePlain({ b: "2" })
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("a", "1") })).status).toBe("400")
    expect((await peer.request({ mechanism: "PLAIN", credentials: plain("b", "2") })).status).toBe("200")
  })
})

describe("decision events", () => {
  it("reports every answer: who, which mechanism, the verdict and why", async () => {
    const key = randomBytes(32)
    auth.configurePlain({ admin: "secret" })
    auth.deny("10.6.6.6")
    await peer.request({ domain: "d", address: "10.0.0.1", identity: "srv", mechanism: "PLAIN", credentials: plain("admin", "secret") })
    await peer.request({ address: "10.0.0.2", mechanism: "CURVE", credentials: [key] })
    await peer.request({ address: "10.6.6.6" })
    await peer.raw(["2.0", "9"])
    expect(decisions).toEqual([
      { domain: "d", address: "10.0.0.1", mechanism: "PLAIN", identity: Buffer.from("srv"), username: "admin", allowed: true, status: 200, reason: "OK", userId: "admin" },
      { domain: "", address: "10.0.0.2", mechanism: "CURVE", identity: Buffer.alloc(0), publicKey: z85Encode(key), allowed: false, status: 400, reason: "Unknown domain" },
      { domain: "", address: "10.6.6.6", mechanism: "NULL", identity: Buffer.alloc(0), allowed: false, status: 400, reason: "Address denied" },
      { domain: "", address: "", mechanism: "", identity: Buffer.alloc(0), allowed: false, status: 400, reason: "Not enough frames" },
    ])
  })

  it("can be read as an async iterable (events.on)", async () => {
    const controller = new AbortController()
    const iterator = on(auth, "decision", { signal: controller.signal })
    await peer.request({ address: "1.2.3.4" })
    const { value } = await iterator.next()
    const [decision] = value as [ZapDecision]
    expect(decision).toMatchObject({ address: "1.2.3.4", allowed: true, mechanism: "NULL" })
    controller.abort()
  })
})

describe("malformed requests", () => {
  it("a version other than 1.0: 400 Invalid version, the request id echoed", async () => {
    expect((await peer.request({ version: "2.0", requestId: "42" })).frames).toEqual(NO("42", "Invalid version"))
    expect((await peer.request({ version: "", requestId: "43" })).frames).toEqual(NO("43", "Invalid version"))
  })

  it("fewer than six frames: 400 Not enough frames, with whatever request id there is", async () => {
    expect((await peer.raw(["1.0", "5", "domain", "127.0.0.1", "id"])).frames).toEqual(NO("5", "Not enough frames"))
    expect((await peer.raw(["1.0"])).frames).toEqual(NO("", "Not enough frames"))
    expect((await peer.raw([])).frames).toEqual(NO("", "Not enough frames"))
  })

  it("a mechanism zmq-ts does not know: 400, even from an allowed address", async () => {
    auth.allow("127.0.0.1")
    expect((await peer.request({ requestId: "1", mechanism: "GSSAPI", credentials: ["principal"] })).frames).toEqual(NO("1", "Unsupported mechanism"))
    expect((await peer.request({ requestId: "2", mechanism: "null" })).frames).toEqual(NO("2", "Unsupported mechanism"))
  })

  it("a message with no empty delimiter has no envelope to answer through: dropped, and serving goes on", async () => {
    await peer.dealer.send(["1.0", "1", "domain", "127.0.0.1", "identity", "NULL"])
    expect((await peer.request({ requestId: "after" })).frames).toEqual(OK("after"))
  })

  it("replies through the whole envelope, routing frames before the delimiter included (as REP does)", async () => {
    await peer.dealer.send(["hop", "", "1.0", "1", "", "127.0.0.1", "", "NULL"])
    const reply = (await peer.dealer.receive()).map((frame) => frame.toString())
    expect(reply).toEqual(["hop", "", "1.0", "1", "200", "OK", "", ""])
  })

  it("binary request ids come back byte for byte", async () => {
    const id = Buffer.from([0x00, 0xff, 0x80, 0x0a])
    await peer.dealer.send(["", "1.0", id, "", "127.0.0.1", "", "NULL"])
    const reply = await peer.dealer.receive()
    expect(Buffer.from(reply[2]!).equals(id)).toBe(true)
  })
})

describe("lifecycle", () => {
  it("one handler per context: a second start() rejects with EADDRINUSE; other contexts are separate", async () => {
    const second = new Authenticator({ context })
    const error = await second.start().then(() => undefined, (e: unknown) => e)
    expect(ZmqError.isInstance(error) && error.code).toBe("EADDRINUSE")
    expect(second.running).toBe(false)
    const other = new Context()
    await using third = new Authenticator({ context: other })
    await third.start()
    expect(third.running).toBe(true)
    other.terminate()
  })

  it("start() twice is one start; stop() unbinds, and start() binds again", async () => {
    await Promise.all([auth.start(), auth.start()])
    expect(auth.running).toBe(true)
    await auth.stop()
    expect(auth.running).toBe(false)
    await auth.stop()
    // The name is free again: another authenticator can take it, and so can this one after it.
    const other = new Authenticator({ context })
    await other.start()
    await other.stop()
    await auth.start()
    await using again = new ZapPeer(context)
    expect((await again.request({ requestId: "back" })).frames).toEqual(OK("back"))
  })

  it("answers each request as soon as its own check is done: a slow callback holds up no one else", async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    auth.configurePlain(async (username) => {
      if (username === "slow") await gate
      return true
    })
    await using fast = new ZapPeer(context)
    const slowReply = peer.request({ requestId: "slow", mechanism: "PLAIN", credentials: plain("slow", "") })
    expect((await fast.request({ requestId: "fast", mechanism: "PLAIN", credentials: plain("fast", "") })).frames).toEqual(OK("fast", "fast"))
    release()
    expect((await slowReply).frames).toEqual(OK("slow", "slow"))
  })

  it("stop() while a callback is deciding: no reply, no crash", async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let asked!: () => void
    const deciding = new Promise<void>((resolve) => (asked = resolve))
    auth.configurePlain(async () => {
      asked()
      await gate
      return true
    })
    await peer.dealer.send(["", "1.0", "1", "", "127.0.0.1", "", "PLAIN", "u", "p"])
    await deciding
    await auth.stop()
    release()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(decisions).toHaveLength(1) // decided, but the reply had nowhere to go
  })

  it("ends when its context is terminated", async () => {
    const other = new Context()
    const handler = new Authenticator({ context: other })
    await handler.start()
    other.terminate()
    await handler.stop()
    expect(handler.running).toBe(false)
  })

  it("uses the default context when given none", async () => {
    const { context: defaultContext } = await import("../../src/index.js")
    await using handler = new Authenticator()
    expect(handler.context).toBe(defaultContext)
    await handler.start()
    await using dealer = new Dealer({ receiveTimeout: 5000 })
    dealer.connect(ZAP_ENDPOINT)
    await dealer.send(["", "1.0", "1", "", "127.0.0.1", "", "NULL"])
    expect((await dealer.receive()).map(String)).toEqual(["", "1.0", "1", "200", "OK", "", ""])
  })

  it("refuses a context option that is not a Context", () => {
    expect(() => new Authenticator({ context: {} as never })).toThrow(TypeError)
  })
})
