/**
 * @zmq-ts/core/auth — a ZAP handler (RFC 27) in the manner of pyzmq's `zmq.auth` and CZMQ's `zauth`:
 * IP allow/deny lists, PLAIN passwords and CURVE client keys per domain, and the CZMQ/pyzmq certificate
 * files CURVE keys are kept in. Written on the public socket API; see docs/decisions/0011.
 */
export { Authenticator, ANY_DOMAIN, CURVE_ALLOW_ANY } from "./auth/authenticator.js"
export type {
  AuthenticatorEvents,
  AuthenticatorOptions,
  CertificateReload,
  CurveAllowed,
  CurveCallback,
  PlainCallback,
  PlainPasswords,
  ZapDecision,
} from "./auth/authenticator.js"
export { ZAP_ENDPOINT, ZAP_VERSION } from "./auth/zap.js"
export type { ZapRequest, ZapStatus } from "./auth/zap.js"
export {
  createCertificate,
  formatCertificate,
  parseCertificate,
  readCertificate,
  readCertificates,
  writeCertificate,
} from "./auth/certificate.js"
export type { Certificate, CertificateFiles, CertificateFolder, CertificateInput, CreatedCertificate } from "./auth/certificate.js"
export type { CurveKey } from "./auth/keys.js"
