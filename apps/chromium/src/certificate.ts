/**
 * A self-signed certificate for 127.0.0.1, made per run with /usr/bin/openssl (Node's crypto makes keys but
 * not X.509 certificates). Chromium does not trust it unless told to, which is what the wss tests check.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Certificate {
  readonly key: string
  readonly cert: string
}

export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "zmq-ts-cert-"))
  try {
    const key = join(dir, "key.pem")
    const cert = join(dir, "cert.pem")
    execFileSync(
      "/usr/bin/openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      { stdio: "ignore" },
    )
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
