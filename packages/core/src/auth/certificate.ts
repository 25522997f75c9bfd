/**
 * CURVE certificates as CZMQ (zcert, zcertstore) and pyzmq (zmq.auth.certs) keep them: ZPL text files
 * (zpl.ts) with a `metadata` section and a `curve` section holding `public-key` and, in the secret file
 * only, `secret-key`, each 40 Z85 characters. A certificate is two files: `<path>` (public, to hand out)
 * and `<path>_secret` (both keys, mode 0600). pyzmq names them `<name>.key` and `<name>.key_secret`,
 * which `createCertificate` does too.
 *
 * A certificate folder (zcertstore's disk store) is every regular file below it, subfolders included,
 * except those whose names end in `_secret`; files that are not certificates are skipped. pyzmq reads only
 * `*.key` files at the top, a subset of these.
 */
import { Buffer } from "#platform/buffer"
import { generateKeyPairSync } from "node:crypto"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ZmqError } from "@zmq-ts/core"
import { requireZ85Key, z85Key, type CurveKey } from "./keys.js"
import { formatZpl, isZplName, locate, parseZpl, type ZplNode } from "./zpl.js"

/** A certificate as read from a file. Keys are Z85 text, as zeromq.js's `curveKeyPair()` gives them. */
export interface Certificate {
  /** The public key, 40 Z85 characters. */
  readonly publicKey: string
  /** The secret key, 40 Z85 characters: present in a secret file only. */
  readonly secretKey?: string
  /** The `metadata` section: name → value. */
  readonly metadata: Readonly<Record<string, string>>
}

/** A certificate to write: keys as Z85 text or 32 bytes. */
export interface CertificateInput {
  readonly publicKey: CurveKey
  /** When given, `writeCertificate` writes the secret file too. */
  readonly secretKey?: CurveKey
  readonly metadata?: Readonly<Record<string, string>>
}

/** The files `writeCertificate` wrote. */
export interface CertificateFiles {
  readonly publicFile: string
  /** `<publicFile>_secret`, when a secret key was given. */
  readonly secretFile?: string
}

/** What `createCertificate` made: the files and the fresh key pair, in Z85. */
export interface CreatedCertificate {
  readonly publicFile: string
  readonly secretFile: string
  readonly publicKey: string
  readonly secretKey: string
}

/** A folder's certificates, and the files in it that are not certificates, with why. */
export interface CertificateFolder {
  readonly certificates: ReadonlyArray<Certificate & { readonly path: string }>
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

const SECRET_SUFFIX = "_secret"

/** Parses a certificate file's text. Throws a ZmqError (EINVAL) with `details` when it is not one. */
export function parseCertificate(text: string): Certificate {
  const root = parseZpl(text)
  const publicKey = keyAt(root, "curve/public-key")
  if (publicKey === undefined) throw notACertificate("no curve/public-key of 40 Z85 characters")
  const secretText = locate(root, "curve/secret-key")?.value
  let secretKey: string | undefined
  if (secretText !== undefined && secretText !== "") {
    secretKey = z85Key(secretText)
    if (secretKey === undefined) throw notACertificate("curve/secret-key is not 40 Z85 characters")
  }
  const metadata: Record<string, string> = {}
  for (const item of locate(root, "metadata")?.children ?? []) {
    // defineProperty, not assignment: a name like `__proto__` is valid ZPL and must stay a plain entry.
    if (!Object.hasOwn(metadata, item.name)) Object.defineProperty(metadata, item.name, { value: item.value, enumerable: true, writable: true, configurable: true })
  }
  return secretKey === undefined ? { publicKey, metadata } : { publicKey, secretKey, metadata }
}

function keyAt(root: ZplNode, path: string): string | undefined {
  const value = locate(root, path)?.value
  return value === undefined ? undefined : z85Key(value)
}

function notACertificate(what: string): ZmqError {
  return new ZmqError("EINVAL", undefined, { details: `not a CURVE certificate: ${what}` })
}

/**
 * The text of a certificate file, as zcert_save writes it: a banner, then `metadata` and `curve`.
 * `kind` "public" leaves the secret key out.
 */
export function formatCertificate(certificate: CertificateInput, kind: "public" | "secret" = "public"): string {
  const publicKey = requireZ85Key(certificate.publicKey, "publicKey")
  const secretKey = kind === "secret" ? requireZ85Key(certificate.secretKey, "secretKey") : undefined
  const metadata: ZplNode[] = []
  for (const [name, value] of Object.entries(certificate.metadata ?? {})) {
    if (!isZplName(name)) throw new TypeError(`metadata name ${JSON.stringify(name)} is not a valid ZPL name (letters, digits, $-_@.&+/)`)
    if (typeof value !== "string") throw new TypeError(`metadata ${name} must be a string, got ${typeof value}`)
    metadata.push({ name, value, children: [] })
  }
  const curve: ZplNode[] = [{ name: "public-key", value: publicKey, children: [] }]
  if (secretKey !== undefined) curve.push({ name: "secret-key", value: secretKey, children: [] })
  const root: ZplNode = {
    name: "root",
    value: "",
    children: [
      { name: "metadata", value: "", children: metadata },
      { name: "curve", value: "", children: curve },
    ],
  }
  const banner = kind === "secret" ? SECRET_BANNER : PUBLIC_BANNER
  return formatZpl(root, [`   ****  Generated on ${timestamp()} by zmq-ts  ****`, ...banner])
}

const PUBLIC_BANNER = [
  "   ZeroMQ CURVE Public Certificate",
  "   Exchange securely, or use a secure mechanism to verify the contents",
  "   of this file after exchange. Store public certificates in your home",
  "   directory, in the .curve subdirectory.",
]
const SECRET_BANNER = ["   ZeroMQ CURVE **Secret** Certificate", "   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."]

/** zclock_timestr's form, local time: 2026-12-01 14:03:59. */
function timestamp(): string {
  const now = new Date()
  const two = (n: number): string => String(n).padStart(2, "0")
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`
}

/** Reads one certificate file (public or secret). Rejects with the fs error, or EINVAL for a bad file. */
export async function readCertificate(path: string): Promise<Certificate> {
  return parseCertificateFile(path, await readFile(path, "utf8"))
}

function parseCertificateFile(path: string, text: string): Certificate {
  try {
    return parseCertificate(text)
  } catch (error) {
    if (ZmqError.isInstance(error)) throw new ZmqError("EINVAL", undefined, { details: `${path}: ${error.details ?? error.message}` })
    throw error
  }
}

/**
 * Writes `path` (public certificate) and, when `certificate.secretKey` is given, `path + "_secret"` (both
 * keys, file mode 0600), as zcert_save does. Files that exist are replaced.
 */
export async function writeCertificate(path: string, certificate: CertificateInput): Promise<CertificateFiles> {
  const publicText = formatCertificate(certificate, "public")
  const secretText = certificate.secretKey === undefined ? undefined : formatCertificate(certificate, "secret")
  await writeFile(path, publicText, "utf8")
  if (secretText === undefined) return { publicFile: path }
  const secretFile = path + SECRET_SUFFIX
  await writeFile(secretFile, secretText, { encoding: "utf8", mode: 0o600 })
  await chmod(secretFile, 0o600) // `mode` applies only to a file writeFile creates
  return { publicFile: path, secretFile }
}

/**
 * Makes a fresh CURVE key pair and writes it as `<directory>/<name>.key` and `<name>.key_secret`, as
 * pyzmq's `zmq.auth.create_certificates` does.
 */
export async function createCertificate(directory: string, name: string, metadata?: Readonly<Record<string, string>>): Promise<CreatedCertificate> {
  const { publicKey, secretKey } = newKeyPair()
  const files = await writeCertificate(join(directory, `${name}.key`), metadata === undefined ? { publicKey, secretKey } : { publicKey, secretKey, metadata })
  return { publicFile: files.publicFile, secretFile: files.secretFile!, publicKey, secretKey }
}

/** An X25519 key pair (what libsodium's crypto_box_keypair makes), in Z85. */
function newKeyPair(): { publicKey: string; secretKey: string } {
  const { privateKey } = generateKeyPairSync("x25519")
  const jwk = privateKey.export({ format: "jwk" })
  return {
    publicKey: requireZ85Key(Buffer.from(jwk.x!, "base64url"), "public key"),
    secretKey: requireZ85Key(Buffer.from(jwk.d!, "base64url"), "secret key"),
  }
}

/** Every certificate in a folder and its subfolders (see the top of this file). Rejects if it cannot be read. */
export async function readCertificates(directory: string): Promise<CertificateFolder> {
  const certificates: Array<Certificate & { path: string }> = []
  const skipped: Array<{ path: string; reason: string }> = []
  const visit = async (folder: string): Promise<void> => {
    const names = (await readdir(folder)).sort()
    for (const name of names) {
      const path = join(folder, name)
      try {
        const info = await stat(path)
        if (info.isDirectory()) await visit(path)
        else if (info.isFile() && !name.endsWith(SECRET_SUFFIX)) certificates.push({ ...parseCertificate(await readFile(path, "utf8")), path })
      } catch (error) {
        skipped.push({ path, reason: reasonOf(error) })
      }
    }
  }
  await visit(directory)
  return { certificates, skipped }
}

/** `readCertificates`, synchronously: for `configureCurve`, which applies its settings at once. */
export function readCertificatesSync(directory: string): CertificateFolder {
  const certificates: Array<Certificate & { path: string }> = []
  const skipped: Array<{ path: string; reason: string }> = []
  const visit = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name)
      try {
        const info = statSync(path)
        if (info.isDirectory()) visit(path)
        else if (info.isFile() && !name.endsWith(SECRET_SUFFIX)) certificates.push({ ...parseCertificate(readFileSync(path, "utf8")), path })
      } catch (error) {
        skipped.push({ path, reason: reasonOf(error) })
      }
    }
  }
  visit(directory)
  return { certificates, skipped }
}

function reasonOf(error: unknown): string {
  if (ZmqError.isInstance(error)) return error.details ?? error.message
  return error instanceof Error ? error.message : String(error)
}
