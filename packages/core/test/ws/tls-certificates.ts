/**
 * Self-signed certificates for the wss:// tests, made by /usr/bin/openssl in a temporary directory (removed
 * at exit): P-256 keys, valid one day, for the names given as subjectAltName.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Certificate {
  readonly keyPem: string
  readonly certPem: string
}

/** A self-signed certificate for `names` (e.g. "IP:127.0.0.1,DNS:localhost"). */
export function selfSigned(names: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "zmq-ts-wss-"))
  try {
    const result = spawnSync("/usr/bin/openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
      "-subj", "/CN=zmq-ts test", "-addext", `subjectAltName=${names}`,
    ])
    if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr.toString()}`)
    return { keyPem: readFileSync(join(dir, "key.pem"), "utf8"), certPem: readFileSync(join(dir, "cert.pem"), "utf8") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
