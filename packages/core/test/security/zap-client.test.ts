/**
 * The ZAP client (src/security/zap-client.ts) without sockets: the request frames, every check of a reply
 * in libzmq's order (zap_client.cpp's receive_and_process_zap_reply), and what is decided without a
 * handler (plain_server.cpp, null_mechanism.cpp, curve_server.cpp of libzmq 4.3.5), over a fake channel.
 */
import { describe, expect, it } from "vitest"
import { authenticate, parseZapReply, zapRequestFrames, type ZapChannelListener, type ZapOutcome, type ZapSettings } from "../../src/security/zap-client.js"
import { metadata } from "./zap-handler.js"

const frames = (...parts: Array<string | Buffer>): Buffer[] => parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part))
const SETTINGS = { domain: Buffer.from("global"), identity: Buffer.from("SERVER"), address: "192.0.2.7" }

describe("the request", () => {
  it("PLAIN: delimiter, version, id, domain, address, identity, mechanism, username, password", () => {
    const request = zapRequestFrames("7", { mechanism: "PLAIN", username: "admin", password: "s3cret ✓" }, SETTINGS)
    expect(request.map(String)).toEqual(["", "1.0", "7", "global", "192.0.2.7", "SERVER", "PLAIN", "admin", "s3cret ✓"])
  })

  it("NULL: no credentials", () => {
    expect(zapRequestFrames("1", { mechanism: "NULL" }, SETTINGS).map(String)).toEqual(["", "1.0", "1", "global", "192.0.2.7", "SERVER", "NULL"])
  })

  it("CURVE: the client's 32-byte long-term public key, as the CURVE server mechanism puts it on the request", () => {
    const publicKey = new Uint8Array(40).fill(9).subarray(4, 36)
    const request = zapRequestFrames("1", { mechanism: "CURVE", publicKey } as never, SETTINGS)
    expect(request).toHaveLength(8)
    expect(request[6]!.toString()).toBe("CURVE")
    expect(request[7]).toEqual(Buffer.alloc(32, 9))
  })
})

describe("the reply", () => {
  const good = (id = "1"): Buffer[] => frames("", "1.0", id, "200", "OK", "alice", metadata({ Department: "ops" }))

  it("200: allow, with the user id and the metadata properties", () => {
    expect(parseZapReply(good(), "1")).toEqual({
      type: "allow",
      reply: { statusText: "OK", userId: "alice", metadata: [["Department", Buffer.from("ops")]] },
    })
  })

  it.each([300, 400, 500] as const)("%i: deny with that status", (status) => {
    expect(parseZapReply(frames("", "1.0", "1", String(status), "no", "", ""), "1")).toEqual({ type: "deny", status, statusText: "no" })
  })

  const DEFECTS: ReadonlyArray<[string, Buffer[], string]> = [
    ["6 frames", frames("", "1.0", "1", "200", "OK", ""), "ERR_ZAP_MALFORMED_REPLY"],
    ["8 frames", frames("", "1.0", "1", "200", "OK", "", "", ""), "ERR_ZAP_MALFORMED_REPLY"],
    // The frame count is checked first: a short reply with a bad version is malformed, not a bad version.
    ["6 frames and version 2.0", frames("", "2.0", "1", "200", "OK", ""), "ERR_ZAP_MALFORMED_REPLY"],
    ["a non-empty delimiter", frames("x", "1.0", "1", "200", "OK", "", ""), "ERR_ZAP_UNSPECIFIED"],
    ["version 1.1", frames("", "1.1", "1", "200", "OK", "", ""), "ERR_ZAP_BAD_VERSION"],
    ["version 1.0 with a NUL", frames("", "1.0\0", "1", "200", "OK", "", ""), "ERR_ZAP_BAD_VERSION"],
    ["another request id", frames("", "1.0", "2", "200", "OK", "", ""), "ERR_ZAP_BAD_REQUEST_ID"],
    ["a bad version and id: the version first", frames("", "9", "2", "200", "OK", "", ""), "ERR_ZAP_BAD_VERSION"],
    ["status 600", frames("", "1.0", "1", "600", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["status 100", frames("", "1.0", "1", "100", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["status 250", frames("", "1.0", "1", "250", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["status 2000", frames("", "1.0", "1", "2000", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["status abc", frames("", "1.0", "1", "abc", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["an empty status", frames("", "1.0", "1", "", "OK", "", ""), "ERR_ZAP_INVALID_STATUS_CODE"],
    ["one stray metadata byte", frames("", "1.0", "1", "200", "OK", "", Buffer.from([4])), "ERR_ZAP_INVALID_METADATA"],
    ["a name longer than the frame", frames("", "1.0", "1", "200", "OK", "", Buffer.from([9, 65, 66])), "ERR_ZAP_INVALID_METADATA"],
    ["a value longer than the frame", frames("", "1.0", "1", "200", "OK", "", Buffer.from([1, 65, 0, 0, 0, 9, 1])), "ERR_ZAP_INVALID_METADATA"],
    ["metadata cut inside the value size", frames("", "1.0", "1", "200", "OK", "", Buffer.from([1, 65, 0, 0])), "ERR_ZAP_INVALID_METADATA"],
    // Metadata is checked even when the status refuses: libzmq parses it before acting on the status.
    ["a 400 with bad metadata", frames("", "1.0", "1", "400", "no", "", Buffer.from([1])), "ERR_ZAP_INVALID_METADATA"],
  ]

  it.each(DEFECTS)("%s: %s", (_name, reply, code) => {
    const outcome = parseZapReply(reply, "1")
    expect(outcome).toMatchObject({ type: "malformed", code, details: expect.stringMatching(/^ZAP reply/) })
  })

  it("empty metadata, and several properties, parse", () => {
    expect(parseZapReply(frames("", "1.0", "1", "200", "", "", ""), "1")).toMatchObject({ type: "allow", reply: { metadata: [] } })
    const two = parseZapReply(frames("", "1.0", "1", "200", "", "u", metadata({ A: "1", Bee: "" })), "1")
    expect(two).toMatchObject({ type: "allow", reply: { metadata: [["A", Buffer.from("1")], ["Bee", Buffer.alloc(0)]] } })
  })
})

/** A channel that records what is sent and lets the test answer or close it. */
function fakeHandler() {
  const sent: Buffer[][] = []
  let listener: ZapChannelListener | undefined
  let closed = false
  const settings = (enforceDomain = false, present = true): ZapSettings => ({
    ...SETTINGS,
    enforceDomain,
    connect: (l) => {
      if (!present) return undefined
      listener = l
      return { send: (message) => (sent.push(message), true), close: () => (closed = true) }
    },
  })
  return {
    sent,
    settings,
    answer: (reply: Buffer[]) => listener!.reply(reply),
    goAway: () => listener!.closed(),
    get closed() {
      return closed
    },
  }
}

describe("authenticate", () => {
  it("sends one request and settles once with the checked reply, closing the channel", () => {
    const handler = fakeHandler()
    const outcomes: ZapOutcome[] = []
    authenticate({ mechanism: "PLAIN", username: "u", password: "p" }, handler.settings(), (outcome) => outcomes.push(outcome))
    expect(handler.sent).toHaveLength(1)
    const id = String(handler.sent[0]![2])
    handler.answer(frames("", "1.0", id, "200", "OK", "u", ""))
    handler.answer(frames("", "1.0", id, "400", "again?", "", ""))
    expect(outcomes).toEqual([{ type: "allow", reply: { statusText: "OK", userId: "u", metadata: [] } }])
    expect(handler.closed).toBe(true)
  })

  it("numbers requests apart, so an answer meant for another request is refused", () => {
    const handler = fakeHandler()
    const outcomes: ZapOutcome[] = []
    authenticate({ mechanism: "NULL" }, handler.settings(), () => undefined)
    authenticate({ mechanism: "NULL" }, handler.settings(), (outcome) => outcomes.push(outcome))
    const [first, second] = handler.sent.map((request) => String(request[2]))
    expect(first).not.toBe(second)
    handler.answer(frames("", "1.0", first!, "200", "", "", ""))
    expect(outcomes).toMatchObject([{ type: "malformed", code: "ERR_ZAP_BAD_REQUEST_ID" }])
  })

  it("the handler going away first: unavailable", () => {
    const handler = fakeHandler()
    const outcomes: ZapOutcome[] = []
    authenticate({ mechanism: "PLAIN" }, handler.settings(), (outcome) => outcomes.push(outcome))
    handler.goAway()
    expect(outcomes).toMatchObject([{ type: "unavailable", details: expect.stringMatching(/went away/) }])
  })

  it("cancelled (the connection ended first): nothing is reported and the channel is closed", () => {
    const handler = fakeHandler()
    const outcomes: ZapOutcome[] = []
    const cancel = authenticate({ mechanism: "PLAIN" }, handler.settings(), (outcome) => outcomes.push(outcome))
    cancel()
    expect(handler.closed).toBe(true)
    handler.goAway()
    expect(outcomes).toEqual([])
  })

  // libzmq 4.3.5 without a handler: PLAIN always fails; NULL (asked only with a domain) and CURVE go ahead
  // unless zap_enforce_domain is set.
  it.each([
    ["PLAIN", false, "unavailable"],
    ["PLAIN", true, "unavailable"],
    ["NULL", false, "allow"],
    ["NULL", true, "unavailable"],
    ["CURVE", false, "allow"],
    ["CURVE", true, "unavailable"],
  ] as const)("no handler, %s, zapEnforceDomain %s: %s, at once", (mechanism, enforce, type) => {
    const outcomes: ZapOutcome[] = []
    authenticate({ mechanism }, fakeHandler().settings(enforce, false), (outcome) => outcomes.push(outcome))
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]!.type).toBe(type)
    if (type === "allow") expect(outcomes[0]).toEqual({ type: "allow", reply: undefined })
  })
})
