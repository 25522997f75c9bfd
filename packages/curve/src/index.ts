/**
 * @zmq-ts/curve — CURVE security for the @zmq-ts/zmtp codec (RFC 26 CurveZMQ, RFC 25 ZMTP-CURVE), byte for
 * byte as libzmq 4.3.5 speaks it: sans-IO client and server `Mechanism`s for `ZmtpConnection`, and the
 * Z85 key helpers zeromq.js offers. Load the crypto once with `await loadCurve()`; see README.md.
 */
export { loadCurve, curveLoaded } from "./primitives.js"
export { curveKeyPair, curvePublicKey, decodeCurveKey, CurveKeyError } from "./keys.js"
export { curveClient } from "./curve-client.js"
export type { CurveClientOptions } from "./curve-client.js"
export { curveServer } from "./curve-server.js"
export type { CurveServerOptions } from "./curve-server.js"
