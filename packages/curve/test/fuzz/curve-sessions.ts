/**
 * The CURVE seeds (seeds/libzmq-curve-sessions.json, made by record-sessions.ts) and the connection that
 * accepts each: libzmq's test keys (tests/testutil_security.cpp), our end as recorded.
 */
import { readFileSync } from "node:fs"
import type { ZmtpConnectionOptions } from "@zmq-ts/zmtp"
import { fromHex } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { curveClient, curveServer, decodeCurveKey } from "../../src/index.js"

export const KEYS = {
  serverPublic: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
  serverSecret: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
  clientPublic: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  clientSecret: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
} as const

export interface CurveSession {
  readonly name: string
  readonly description?: string
  /** Our end: the server reads a libzmq client's bytes, the client a libzmq server's. */
  readonly receiver: "client" | "server"
  /** fixed-random.ts's seed for our end, as when recorded. */
  readonly randomSeed: number
  readonly hex?: string
}

export function receiverOptions(session: Pick<CurveSession, "receiver">, maxMessageSize = -1): ZmtpConnectionOptions {
  const key = (text: string): Uint8Array => decodeCurveKey(text, "fuzz key")
  return session.receiver === "server"
    ? { socketType: "ROUTER", maxMessageSize, mechanism: curveServer({ secretKey: key(KEYS.serverSecret), authenticate: () => ({ allow: true }) }) }
    : {
        socketType: "DEALER",
        maxMessageSize,
        mechanism: curveClient({ publicKey: key(KEYS.clientPublic), secretKey: key(KEYS.clientSecret), serverKey: key(KEYS.serverPublic) }),
      }
}

export function curveSessions(): ReadonlyArray<CurveSession & { readonly bytes: Uint8Array }> {
  const file = JSON.parse(readFileSync(new URL("./seeds/libzmq-curve-sessions.json", import.meta.url), "utf8")) as { sessions: CurveSession[] }
  return file.sessions.map((s) => ({ ...s, bytes: fromHex(s.hex ?? "") }))
}
