/**
 * MDP/0.1 commands (RFC 7) built and parsed without sockets: the frames each command has on the wire, and
 * that any sequence of frames parses to a command or to "invalid", never throws.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  MDPC_CLIENT,
  MDPW_WORKER,
  MdpCommand,
  brokerRequest,
  clientReply,
  clientRequest,
  parseBrokerInbound,
  parseClientReply,
  parseWorkerInbound,
  workerCommand,
  workerReply,
} from "../src/majordomo-protocol.js"

const hex = (frames: readonly Buffer[]): string[] => frames.map((frame) => frame.toString("hex"))
const b = (text: string): Buffer => Buffer.from(text)

describe("MDP/0.1 wire format (RFC 7)", () => {
  it("has the RFC's headers and command bytes", () => {
    expect(MDPC_CLIENT).toBe("MDPC01")
    expect(MDPW_WORKER).toBe("MDPW01")
    expect(MdpCommand).toEqual({ READY: 1, REQUEST: 2, REPLY: 3, HEARTBEAT: 4, DISCONNECT: 5 })
  })

  it("client REQUEST: empty, MDPC01, service, body (a REQ drops frame 0 itself)", () => {
    expect(hex(clientRequest("echo", ["Hello", b("x")]))).toEqual(["", "4d4450433031", "6563686f", "48656c6c6f", "78"])
  })

  it("worker READY / HEARTBEAT / DISCONNECT / REPLY, and the broker's REQUEST with the identity first", () => {
    expect(hex(workerCommand(MdpCommand.READY, ["echo"]))).toEqual(["", "4d4450573031", "01", "6563686f"])
    expect(hex(workerCommand(MdpCommand.HEARTBEAT))).toEqual(["", "4d4450573031", "04"])
    expect(hex(workerCommand(MdpCommand.DISCONNECT))).toEqual(["", "4d4450573031", "05"])
    expect(hex(workerReply(b("C"), ["ok"]))).toEqual(["", "4d4450573031", "03", "43", "", "6f6b"])
    expect(hex(brokerRequest(b("W"), b("C"), ["hi"]))).toEqual(["57", "", "4d4450573031", "02", "43", "", "6869"])
    expect(hex(clientReply(b("C"), "echo", ["hi"]))).toEqual(["43", "", "4d4450433031", "6563686f", "6869"])
  })

  it("parses what the broker receives (after the identity frame)", () => {
    expect(parseBrokerInbound(clientRequest("echo", ["a", "b"]))).toEqual({ kind: "client", service: "echo", body: [b("a"), b("b")] })
    expect(parseBrokerInbound(workerCommand(MdpCommand.READY, ["echo"]))).toEqual({ kind: "worker", command: 1, service: "echo" })
    expect(parseBrokerInbound(workerReply(b("C"), ["r"]))).toEqual({ kind: "worker", command: 3, client: b("C"), body: [b("r")] })
    expect(parseBrokerInbound(workerCommand(MdpCommand.HEARTBEAT))).toEqual({ kind: "worker", command: 4 })
    // A worker may not send REQUEST; READY needs its service; REPLY needs its envelope.
    expect(parseBrokerInbound(workerCommand(MdpCommand.REQUEST, ["C", "", "x"])).kind).toBe("worker-invalid")
    expect(parseBrokerInbound(workerCommand(MdpCommand.READY)).kind).toBe("worker-invalid")
    expect(parseBrokerInbound(workerCommand(MdpCommand.REPLY, ["C", "x"])).kind).toBe("worker-invalid")
    expect(parseBrokerInbound([b(""), b("MDPX01")]).kind).toBe("invalid")
    expect(parseBrokerInbound([b("x"), b("MDPC01"), b("echo")]).kind).toBe("invalid")
  })

  it("parses what a worker receives, and a client's reply with or without frame 0", () => {
    const request = brokerRequest(b("W"), b("C"), ["a"]).slice(1)
    expect(parseWorkerInbound(request)).toEqual({ command: 2, client: b("C"), body: [b("a")] })
    expect(parseWorkerInbound(workerCommand(MdpCommand.DISCONNECT))).toEqual({ command: 5 })
    expect(parseWorkerInbound(workerCommand(MdpCommand.READY, ["x"])).command).toBe("invalid")
    const reply = clientReply(b("C"), "echo", ["hi"]).slice(1)
    expect(parseClientReply(reply, true, "echo")).toEqual([b("hi")])
    expect(parseClientReply(reply.slice(1), false, "echo")).toEqual([b("hi")])
    expect(parseClientReply(reply, true, "other")).toBeUndefined()
    expect(parseClientReply([b("MDPW01"), b("echo")], false)).toBeUndefined()
  })

  it("any frames parse to a command or to invalid, never throw", () => {
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(b(""), b("MDPC01"), b("MDPW01"), Buffer.from([1]), Buffer.from([2]), Buffer.from([3]), Buffer.from([4]), Buffer.from([5])),
    )
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 7 }), (frames) => {
        parseBrokerInbound(frames)
        parseWorkerInbound(frames)
        parseClientReply(frames, true)
        parseClientReply(frames, false)
      }),
      { numRuns: 2000 },
    )
  })
})
