/**
 * What a session needs from the layer that owns the context's inproc names to reach its ZAP handler
 * (RFC 27): a `ZapConnector`, which transports/registry.ts makes from the context's inproc transport and
 * the stream transports hand every session. The ZAP client that uses it is security/zap-client.ts; this
 * module passes its contract on to transports/, which may import engine/ but not security/.
 */
export { ZAP_ENDPOINT, ZAP_HANDLER_TYPES, ZAP_NAME } from "../security/zap-client.js"
export type { ZapChannel, ZapChannelListener, ZapConnector } from "../security/zap-client.js"
