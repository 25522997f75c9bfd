/**
 * The paths a runtime without node:crypto takes (browsers): libsodium's X25519 and the libsodium wrappers
 * for MESSAGE boxes. This file turns the fast paths off for its own module instance (vitest isolates files)
 * and checks that both sides still interoperate with the fast paths' bytes: handshake, messages, failures.
 */
import { ZmtpErrorCode, type ZmtpEvent } from "@zmq-ts/zmtp"
import { beforeAll, describe, expect, it } from "vitest"
import { curveClient, curveKeyPair, curvePublicKey, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { curveBackends, disableFastPaths } from "../src/primitives.js"
import { allowAll, ascii, hex, Pair, pattern } from "./helpers/pair.js"

const SERVER_PUBLIC = decodeCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "k")
const SERVER_SECRET = decodeCurveKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "k")
const CLIENT_PUBLIC = decodeCurveKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "k")
const CLIENT_SECRET = decodeCurveKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "k")

beforeAll(async () => {
  await loadCurve()
  disableFastPaths({ x25519: true, message: true })
})

const messages = (events: readonly ZmtpEvent[]) => events.flatMap((e) => (e.type === "message" ? [e.frames.map(hex)] : []))

describe("libsodium only", () => {
  it("handshakes and round-trips messages (empty, small, 300 KiB)", () => {
    expect(curveBackends()).toEqual({ x25519: "libsodium", message: "libsodium-wrappers" })
    const pair = new Pair(
      { socketType: "DEALER", mechanism: curveClient({ publicKey: CLIENT_PUBLIC, secretKey: CLIENT_SECRET, serverKey: SERVER_PUBLIC }) },
      { socketType: "ROUTER", mechanism: curveServer({ secretKey: SERVER_SECRET }) },
      { onEvent: allowAll },
    ).pump()
    const frames = [new Uint8Array(0), ascii("small"), pattern(300 * 1024, 4)]
    pair.client.connection.send(frames)
    pair.server.connection.send(frames)
    pair.pump()
    expect(messages(pair.server.events)).toEqual([frames.map(hex)])
    expect(messages(pair.client.events)).toEqual([frames.map(hex)])
  })

  it("refuses a null server key and a tampered MESSAGE; the key helpers agree", () => {
    const bad = new Pair({ socketType: "DEALER", mechanism: curveClient({ publicKey: CLIENT_PUBLIC, secretKey: CLIENT_SECRET, serverKey: new Uint8Array(32) }) }, { socketType: "ROUTER", mechanism: curveServer({ secretKey: SERVER_SECRET }) }).pump()
    expect(bad.client.events.at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.CRYPTOGRAPHIC } })
    const pair = new Pair(
      { socketType: "DEALER", mechanism: curveClient({ publicKey: CLIENT_PUBLIC, secretKey: CLIENT_SECRET, serverKey: SERVER_PUBLIC }) },
      { socketType: "ROUTER", mechanism: curveServer({ secretKey: SERVER_SECRET }) },
      { onEvent: allowAll },
    ).pump()
    pair.client.connection.send([ascii("x")])
    const wire = new Uint8Array(pair.client.connection.dataToSend())
    wire[wire.length - 1] = wire[wire.length - 1]! ^ 1
    expect(pair.inject("server", wire).at(-1)).toMatchObject({ type: "error", error: { code: ZmtpErrorCode.CRYPTOGRAPHIC } })
    const keys = curveKeyPair()
    expect(curvePublicKey(keys.secretKey)).toBe(keys.publicKey)
    expect(curvePublicKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")).toBe("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
  })
})
