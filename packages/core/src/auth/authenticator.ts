/**
 * A ZAP handler (RFC 27) with the policies of pyzmq's `zmq.auth` and CZMQ's `zauth`: IP allow and deny
 * lists, PLAIN passwords, CURVE public keys (a list, a certificate folder, a callback, or any key), per
 * ZAP domain. Written on the public socket API as user code would be: a ROUTER bound at
 * `inproc://zeromq.zap.01` in one context, answering each request as soon as its policy has decided, so a
 * slow callback for one peer does not hold up the others.
 *
 * How a request is decided (pyzmq's order):
 * 1. A request with fewer than six frames, or a version other than "1.0", gets 400 ("Not enough frames",
 *    "Invalid version").
 * 2. The address lists: an address on the deny list is refused; when the allow list is not empty, an
 *    address not on it is refused (400). For NULL, passing this step is the whole decision.
 * 3. PLAIN and CURVE must then authenticate against the policy of the request's domain, or of "*" when
 *    that domain has none for the mechanism: 200 with the user id (the PLAIN username, the CURVE key in
 *    Z85) or 400 with the reason. Other mechanisms get 400. A callback that throws gets 500.
 * The status text of a refusal stays on this side: libzmq sends the client only the status code.
 */
import { Buffer } from "#platform/buffer"
import { timingSafeEqual } from "node:crypto"
import { EventEmitter } from "node:events"
import { context as defaultContext, Context, Router } from "@zmq-ts/core"
import { z85Encode } from "@zmq-ts/zmtp"
import { AddressList } from "./address-list.js"
import { readCertificates, readCertificatesSync, type CertificateFolder } from "./certificate.js"
import { requireZ85Key, type CurveKey } from "./keys.js"
import { parseRequest, replyFrames, splitEnvelope, ZAP_ENDPOINT, type ZapRequest, type ZapStatus } from "./zap.js"

/** `configureCurve`'s "any client key": CURVE still encrypts, but every key is accepted (pyzmq's name). */
export const CURVE_ALLOW_ANY = "*"

/** Every domain: the policy for a domain that has none of its own for a mechanism. */
export const ANY_DOMAIN = "*"

export interface AuthenticatorOptions {
  /** The context whose connections to authenticate; the default `context` when not given. */
  context?: Context
}

/** A PLAIN check: true lets the client in. May be async; throwing (or rejecting) answers 500. */
export type PlainCallback = (username: string, password: string, request: ZapRequest) => boolean | Promise<boolean>

/** A CURVE check of the client's public key (Z85): true lets it in. May be async; throwing answers 500. */
export type CurveCallback = (publicKey: string, request: ZapRequest) => boolean | Promise<boolean>

/** PLAIN credentials: username → password, or a callback. */
export type PlainPasswords = Readonly<Record<string, string>> | ReadonlyMap<string, string> | PlainCallback

/**
 * Which CURVE client keys to accept: `CURVE_ALLOW_ANY`, keys (Z85 text or 32 bytes), a folder of public
 * certificates (read now, again on `reloadCertificates()`), or a callback.
 */
export type CurveAllowed = typeof CURVE_ALLOW_ANY | Iterable<CurveKey> | { readonly directory: string } | CurveCallback

/** One answered request, as the `decision` event reports it. */
export interface ZapDecision {
  readonly domain: string
  readonly address: string
  /** "NULL", "PLAIN", "CURVE", … ("" for a request too short to name one). */
  readonly mechanism: string
  /** The server socket's routing id (RFC 27's identity frame). */
  readonly identity: Buffer
  /** PLAIN: the username the client gave. */
  readonly username?: string
  /** CURVE: the client's public key, Z85. */
  readonly publicKey?: string
  readonly allowed: boolean
  readonly status: ZapStatus
  /** "OK", or why not ("Invalid password", "Address denied", "Unknown key", …). */
  readonly reason: string
  /** What the reply gave as user id, when allowed: the PLAIN username, the CURVE key in Z85, "" for NULL. */
  readonly userId?: string
  /** What a callback threw, for a 500. */
  readonly error?: unknown
}

/** What `reloadCertificates()` found in each certificate folder. */
export interface CertificateReload {
  readonly domain: string
  readonly directory: string
  /** How many distinct public keys the domain now accepts. */
  readonly keys: number
  /** Files that are not certificates (secret files excepted), with why. */
  readonly skipped: CertificateFolder["skipped"]
}

export interface AuthenticatorEvents {
  decision: [decision: ZapDecision]
}

type PlainPolicy = { readonly kind: "passwords"; readonly passwords: ReadonlyMap<string, Buffer> } | { readonly kind: "callback"; readonly check: PlainCallback }

type CurvePolicy =
  | { readonly kind: "any" }
  | { readonly kind: "keys"; readonly keys: ReadonlySet<string> }
  | { readonly kind: "directory"; readonly directory: string; keys: ReadonlySet<string> }
  | { readonly kind: "callback"; readonly check: CurveCallback }

interface DomainPolicy {
  plain?: PlainPolicy
  curve?: CurvePolicy
}

/** A decision before the envelope and the event: status, text, user id. */
interface Verdict {
  readonly status: ZapStatus
  readonly reason: string
  readonly userId?: Buffer
  readonly username?: string
  readonly publicKey?: string
  readonly error?: unknown
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * The ZAP handler of one context. `start()` binds `inproc://zeromq.zap.01` (EADDRINUSE when the context
 * already has a handler); from then on every connection of that context's sockets that asks for ZAP (a
 * PLAIN or CURVE server, or NULL with a `zapDomain`) is decided here. Configure before or after starting;
 * changes apply to the next request.
 *
 * While started it keeps the process alive, as a running Proxy does: `stop()` it (or `await using`).
 *
 * ```ts
 * await using auth = new Authenticator()
 * auth.allow("127.0.0.1")
 * auth.configurePlain({ admin: "secret" })
 * auth.on("decision", (d) => console.log(d.address, d.mechanism, d.allowed, d.reason))
 * await auth.start()
 * ```
 */
export class Authenticator extends EventEmitter<AuthenticatorEvents> implements AsyncDisposable {
  readonly #context: Context
  readonly #allowed = new AddressList()
  readonly #denied = new AddressList()
  readonly #domains = new Map<string, DomainPolicy>()
  #router: Router | undefined
  #serving: Promise<void> | undefined
  #starting: Promise<void> | undefined

  constructor(options: AuthenticatorOptions = {}) {
    super()
    const context = options.context ?? defaultContext
    if (!(context instanceof Context)) throw new TypeError("the context option must be a Context")
    this.#context = context
  }

  /** The context whose ZAP handler this is. */
  get context(): Context {
    return this.#context
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#router !== undefined
  }

  /** Binds the ZAP endpoint and starts answering. Rejects (EADDRINUSE) if the context has a handler. */
  start(): Promise<void> {
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined
    })
    return this.#starting
  }

  async #start(): Promise<void> {
    if (this.#router !== undefined) return
    const router = new Router({ context: this.#context })
    try {
      await router.bind(ZAP_ENDPOINT)
    } catch (error) {
      router.close()
      throw error
    }
    this.#router = router
    this.#serving = this.#serve(router)
  }

  /** Unbinds and stops answering; requests being decided get no reply. Resolves once the loop has ended. */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined)
    const router = this.#router
    if (router === undefined) return
    this.#router = undefined
    router.close()
    await this.#serving
    this.#serving = undefined
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /**
   * Lets only these addresses in (every mechanism; PLAIN and CURVE must still authenticate). Takes IP
   * addresses, CIDR ranges ("10.0.0.0/8") and exact address texts. Adds to what is already allowed.
   */
  allow(...addresses: string[]): void {
    for (const address of addresses) this.#allowed.add(address)
  }

  /** Refuses these addresses (same forms as `allow`). A denied address stays denied even if allowed. */
  deny(...addresses: string[]): void {
    for (const address of addresses) this.#denied.add(address)
  }

  /**
   * PLAIN for `domain` ("*", every domain without its own PLAIN policy, when omitted): a map of username
   * to password (copied now), or a callback. Replaces the domain's previous PLAIN policy.
   */
  configurePlain(passwords: PlainPasswords): void
  configurePlain(domain: string, passwords: PlainPasswords): void
  configurePlain(domainOrPasswords: string | PlainPasswords, maybePasswords?: PlainPasswords): void {
    const [domain, passwords] = typeof domainOrPasswords === "string" ? [domainOrPasswords, maybePasswords] : [ANY_DOMAIN, domainOrPasswords]
    this.#domain(domain).plain = plainPolicy(passwords)
  }

  /**
   * CURVE for `domain` ("*" when omitted): `CURVE_ALLOW_ANY`, an iterable of client public keys, a folder
   * of public certificates `{ directory }` (read now, synchronously; again on `reloadCertificates()`), or
   * a callback. Replaces the domain's previous CURVE policy. Throws if the folder cannot be read.
   */
  configureCurve(allowed: CurveAllowed): void
  configureCurve(domain: string, allowed: CurveAllowed): void
  configureCurve(domainOrAllowed: string | CurveAllowed, maybeAllowed?: CurveAllowed): void {
    const [domain, allowed] =
      typeof domainOrAllowed === "string" && maybeAllowed !== undefined ? [domainOrAllowed, maybeAllowed] : [ANY_DOMAIN, domainOrAllowed]
    this.#domain(domain).curve = curvePolicy(allowed)
  }

  /**
   * Reads every certificate folder given to `configureCurve` again (as CZMQ's certificate store does when
   * the folder changes), and reports what each holds. A folder that cannot be read keeps its previous keys
   * and rejects the returned promise.
   */
  async reloadCertificates(): Promise<CertificateReload[]> {
    const reloads: CertificateReload[] = []
    for (const [domain, policy] of this.#domains) {
      const curve = policy.curve
      if (curve?.kind !== "directory") continue
      const folder = await readCertificates(curve.directory)
      curve.keys = new Set(folder.certificates.map((certificate) => certificate.publicKey))
      reloads.push({ domain, directory: curve.directory, keys: curve.keys.size, skipped: folder.skipped })
    }
    return reloads
  }

  #domain(domain: string): DomainPolicy {
    if (typeof domain !== "string") throw new TypeError(`domain must be a string, got ${typeof domain}`)
    let policy = this.#domains.get(domain)
    if (policy === undefined) {
      policy = {}
      this.#domains.set(domain, policy)
    }
    return policy
  }

  async #serve(router: Router): Promise<void> {
    try {
      for await (const frames of router) void this.#answer(router, frames)
    } catch {
      // The context was terminated, or the socket closed under a receive: nothing left to answer.
    }
    if (this.#router === router) {
      this.#router = undefined // ended by the context, not by stop()
      router.close()
    }
  }

  async #answer(router: Router, frames: Buffer[]): Promise<void> {
    const split = splitEnvelope(frames)
    if (split === undefined) return
    const parsed = parseRequest(split.body)
    const { request } = parsed
    const verdict = parsed.ok ? await this.#decide(request) : { status: 400 as const, reason: parsed.reason }
    const allowed = verdict.status === 200
    const userId = allowed ? (verdict.userId ?? Buffer.alloc(0)) : Buffer.alloc(0)
    try {
      await router.send(replyFrames(split.envelope, request.requestId, verdict.status, allowed ? "OK" : verdict.reason, userId))
    } catch {
      // Stopped while deciding: the session waiting for this reply is going away with the handler.
    }
    const decision: ZapDecision = {
      domain: request.domain,
      address: request.address,
      mechanism: request.mechanism,
      identity: request.identity,
      ...(verdict.username === undefined ? {} : { username: verdict.username }),
      ...(verdict.publicKey === undefined ? {} : { publicKey: verdict.publicKey }),
      allowed,
      status: verdict.status,
      reason: allowed ? "OK" : verdict.reason,
      ...(allowed ? { userId: userId.toString("utf8") } : {}),
      ...(verdict.error === undefined ? {} : { error: verdict.error }),
    }
    try {
      this.emit("decision", decision)
    } catch (error) {
      // A listener threw: let it surface as any listener's error would, without taking the handler down.
      process.nextTick(() => {
        throw error
      })
    }
  }

  /** Never rejects: whatever goes wrong while deciding is a 500, and the handler goes on serving. */
  async #decide(request: ZapRequest): Promise<Verdict> {
    try {
      if (this.#denied.has(request.address)) return { status: 400, reason: "Address denied" }
      if (this.#allowed.size > 0 && !this.#allowed.has(request.address)) return { status: 400, reason: "Address not allowed" }
      switch (request.mechanism) {
        case "NULL":
          return request.credentials.length === 0 ? { status: 200, reason: "OK" } : { status: 400, reason: "Invalid credentials" }
        case "PLAIN":
          return await this.#plain(request)
        case "CURVE":
          return await this.#curve(request)
        default:
          return { status: 400, reason: "Unsupported mechanism" }
      }
    } catch (error) {
      return { status: 500, reason: "Internal error", error }
    }
  }

  /** The domain's policy for a mechanism, or "*"'s. */
  #policyFor<K extends keyof DomainPolicy>(domain: string, mechanism: K): DomainPolicy[K] | undefined {
    return this.#domains.get(domain)?.[mechanism] ?? this.#domains.get(ANY_DOMAIN)?.[mechanism]
  }

  async #plain(request: ZapRequest): Promise<Verdict> {
    const [usernameFrame, passwordFrame] = request.credentials
    if (request.credentials.length !== 2 || usernameFrame === undefined || passwordFrame === undefined) {
      return { status: 400, reason: "Invalid credentials" }
    }
    let username: string
    let password: string
    try {
      username = fatalUtf8.decode(usernameFrame)
      password = fatalUtf8.decode(passwordFrame)
    } catch {
      return { status: 400, reason: "Invalid credentials" } // not UTF-8: no username or password of ours
    }
    const denied = (reason: string): Verdict => ({ status: 400, reason, username })
    const policy = this.#policyFor(request.domain, "plain")
    if (policy === undefined) {
      const any = [...this.#domains.values()].some((domain) => domain.plain !== undefined)
      return denied(any ? "Invalid domain" : "No passwords defined")
    }
    if (policy.kind === "callback") {
      if ((await policy.check(username, password, request)) !== true) return denied("Invalid username or password")
    } else {
      const expected = policy.passwords.get(username)
      if (expected === undefined) return denied("Invalid username")
      if (expected.length !== passwordFrame.length || !timingSafeEqual(expected, passwordFrame)) return denied("Invalid password")
    }
    return { status: 200, reason: "OK", userId: usernameFrame, username }
  }

  async #curve(request: ZapRequest): Promise<Verdict> {
    const [keyFrame] = request.credentials
    if (request.credentials.length !== 1 || keyFrame === undefined || keyFrame.length !== 32) {
      return { status: 400, reason: "Invalid credentials" }
    }
    const publicKey = z85Encode(keyFrame)
    const policy = this.#policyFor(request.domain, "curve")
    if (policy === undefined) return { status: 400, reason: "Unknown domain", publicKey }
    let allowed: boolean
    switch (policy.kind) {
      case "any":
        allowed = true
        break
      case "callback":
        allowed = (await policy.check(publicKey, request)) === true
        break
      default:
        allowed = policy.keys.has(publicKey)
    }
    if (!allowed) return { status: 400, reason: "Unknown key", publicKey }
    return { status: 200, reason: "OK", userId: Buffer.from(publicKey), publicKey }
  }
}

function plainPolicy(passwords: PlainPasswords | undefined): PlainPolicy {
  if (typeof passwords === "function") return { kind: "callback", check: passwords }
  if (typeof passwords !== "object" || passwords === null) {
    throw new TypeError("passwords must be a map of username to password, or a callback")
  }
  const entries = passwords instanceof Map ? [...(passwords as ReadonlyMap<unknown, unknown>)] : Object.entries(passwords)
  const copy = new Map<string, Buffer>()
  for (const [username, password] of entries) {
    if (typeof username !== "string" || typeof password !== "string") {
      throw new TypeError(`passwords must map strings to strings; ${JSON.stringify(String(username))} does not`)
    }
    copy.set(username, Buffer.from(password, "utf8"))
  }
  return { kind: "passwords", passwords: copy }
}

function curvePolicy(allowed: CurveAllowed | undefined): CurvePolicy {
  if (allowed === CURVE_ALLOW_ANY) return { kind: "any" }
  if (typeof allowed === "function") return { kind: "callback", check: allowed }
  if (typeof allowed === "string") {
    throw new TypeError(`configureCurve takes CURVE_ALLOW_ANY ("*"), keys in an array, { directory } or a callback; got the string ${JSON.stringify(allowed)}`)
  }
  if (typeof allowed === "object" && allowed !== null && "directory" in allowed) {
    const { directory } = allowed
    if (typeof directory !== "string") throw new TypeError("directory must be a path")
    const folder = readCertificatesSync(directory)
    return { kind: "directory", directory, keys: new Set(folder.certificates.map((certificate) => certificate.publicKey)) }
  }
  if (typeof allowed !== "object" || allowed === null || !(Symbol.iterator in allowed)) {
    throw new TypeError("configureCurve takes CURVE_ALLOW_ANY, an iterable of keys, { directory } or a callback")
  }
  const keys = new Set<string>()
  for (const key of allowed) keys.add(requireZ85Key(key, "a CURVE client key"))
  return { kind: "keys", keys }
}
