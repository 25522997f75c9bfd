import type { Mechanism } from "@zmq-ts/zmtp"
import type { CurveSelection } from "../common/options.js"
import { zmqError } from "../common/errors.js"
import { loadCurveModule } from "#platform/curve"

type CurveModule = typeof import("@zmq-ts/curve")

let curve: CurveModule | undefined
let loading: Promise<CurveModule> | undefined

/**
 * Loads @zmq-ts/curve and its crypto (libsodium's WASM build) the first time a socket selects CURVE, so a
 * program that never does pays nothing for it (docs/decisions/0010). Later calls share the first load.
 */
export function loadCurve(): Promise<CurveModule> {
  if (loadCurveModule === undefined) {
    return Promise.reject(zmqError("ENOTSUP", "CURVE is not available in browsers: a browser's WebSocket speaks only bare ZWS2.0, which has no mechanism"))
  }
  loading ??= loadCurveModule().then(async (module) => {
    await module.loadCurve()
    curve = module
    return module
  })
  return loading
}

/** True once `loadCurve()` has finished: `curveMechanism()` can be called. */
export function curveLoaded(): boolean {
  return curve !== undefined
}

/** A fresh CURVE state machine for one connection (RFC 26); the crypto must be loaded. */
export function curveMechanism(selection: CurveSelection): Mechanism {
  if (curve === undefined) throw new Error("CURVE was selected before @zmq-ts/curve finished loading")
  return selection.server
    ? curve.curveServer({ secretKey: selection.secretKey })
    : curve.curveClient({ publicKey: selection.publicKey, secretKey: selection.secretKey, serverKey: selection.serverKey })
}
