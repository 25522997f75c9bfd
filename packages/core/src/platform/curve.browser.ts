/**
 * A browser's WebSocket can offer only bare "ZWS2.0" (a "/" is not allowed in a subprotocol token), which
 * has no mechanism: CURVE never runs there, so its crypto (libsodium, 0.6 MB) is not part of a browser
 * build, and a sync X25519 key pair (zeromq.js's curveKeyPair()) has no Web API.
 */
export const loadCurveModule: (() => Promise<typeof import("@zmq-ts/curve")>) | undefined = undefined

export const x25519KeyPair: (() => { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }) | undefined = undefined
