/**
 * The Authenticator deciding real handshakes: our servers ask it through core's ZAP client (RFC 27) over
 * tcp, our clients are let in or refused, and each decision is reported.
 *
 *   Dealer (PLAIN client) ──tcp──▶ Router (plainServer) ──ZAP, inproc──▶ Authenticator
 *   Dealer (NULL)         ──tcp──▶ Router (zapDomain)   ──ZAP, inproc──▶ Authenticator (address lists)
 *   Dealer (CURVE client) ──tcp──▶ Router (curveServer) ──ZAP, inproc──▶ Authenticator (certificate folder)
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { capability, Context, Dealer, Router, type Socket } from "../../src/index.js"
import { Authenticator, createCertificate, type ZapDecision } from "../../src/auth.js"
import { text } from "../helpers/transports.js"

let context: Context
let auth: Authenticator
let decisions: ZapDecision[]

beforeEach(async () => {
  context = new Context()
  auth = new Authenticator({ context })
  decisions = []
  auth.on("decision", (decision) => decisions.push(decision))
  await auth.start()
})

afterEach(async () => {
  await auth.stop()
  context.terminate()
})

async function server(options: ConstructorParameters<typeof Router>[0]): Promise<{ router: Router; address: string }> {
  const router = new Router({ context, linger: 0, ...options })
  await router.bind("tcp://127.0.0.1:*")
  return { router, address: router.lastEndpoint! }
}

/** The client's first message arrives: the handshake was allowed. */
async function expectDelivered(router: Router, client: Dealer): Promise<void> {
  await client.send("hello")
  const [, ...body] = await router.receive()
  expect(text(body)).toEqual(["hello"])
}

/** The status of the socket's next `handshake:error:auth` event. */
function nextAuthFailure(socket: Socket, timeoutMs = 5000): Promise<number | undefined> {
  const observer = socket.events // read now: the getter throws once the socket is closed
  return new Promise((resolve, reject) => {
    const listener = (event: { error: unknown }): void => {
      clearTimeout(timer)
      observer.off("handshake:error:auth", listener)
      resolve((event.error as { status?: number }).status)
    }
    const timer = setTimeout(() => {
      observer.off("handshake:error:auth", listener)
      reject(new Error(`${socket.constructor.name}: no handshake:error:auth within ${timeoutMs} ms`))
    }, timeoutMs)
    observer.on("handshake:error:auth", listener)
  })
}

/** The server refuses the handshake with the ZAP status, and the client hears it. */
async function expectRefused(router: Router, client: Dealer, address: string, status = 400): Promise<void> {
  const serverSide = nextAuthFailure(router)
  const clientSide = nextAuthFailure(client)
  client.connect(address)
  expect(await Promise.all([serverSide, clientSide])).toEqual([status, status])
}

describe("PLAIN", () => {
  it("a client with the right password is let in; the user id is its username", async () => {
    auth.configurePlain({ admin: "secret" })
    const { router, address } = await server({ plainServer: true })
    await using client = new Dealer({ context, plainUsername: "admin", plainPassword: "secret", linger: 0 })
    client.connect(address)
    await expectDelivered(router, client)
    expect(decisions).toMatchObject([{ mechanism: "PLAIN", address: "127.0.0.1", username: "admin", allowed: true, status: 200, userId: "admin" }])
    router.close()
  })

  it("a wrong password is refused with 400 on both sides", async () => {
    auth.configurePlain({ admin: "secret" })
    const { router, address } = await server({ plainServer: true })
    await using client = new Dealer({ context, plainUsername: "admin", plainPassword: "guess", linger: 0 })
    await expectRefused(router, client, address)
    expect(decisions).toMatchObject([{ mechanism: "PLAIN", allowed: false, status: 400, reason: "Invalid password" }])
    router.close()
  })

  it("the server's zapDomain picks the domain's passwords", async () => {
    auth.configurePlain({ admin: "secret" })
    auth.configurePlain("ops", { operator: "hunter2" })
    const { router, address } = await server({ plainServer: true, zapDomain: "ops" })
    await using client = new Dealer({ context, plainUsername: "operator", plainPassword: "hunter2", linger: 0 })
    client.connect(address)
    await expectDelivered(router, client)
    expect(decisions).toMatchObject([{ domain: "ops", username: "operator", allowed: true }])
    router.close()
  })

  it("an address outside the allow list is refused before its password is looked at", async () => {
    auth.allow("10.0.0.0/8")
    auth.configurePlain({ admin: "secret" })
    const { router, address } = await server({ plainServer: true })
    await using client = new Dealer({ context, plainUsername: "admin", plainPassword: "secret", linger: 0 })
    await expectRefused(router, client, address)
    expect(decisions).toMatchObject([{ address: "127.0.0.1", allowed: false, reason: "Address not allowed" }])
    router.close()
  })
})

describe("NULL with a ZAP domain", () => {
  it("the address lists decide", async () => {
    auth.deny("127.0.0.1")
    const { router, address } = await server({ zapDomain: "public" })
    await using client = new Dealer({ context, linger: 0 })
    await expectRefused(router, client, address)
    expect(decisions).toMatchObject([{ domain: "public", mechanism: "NULL", allowed: false, reason: "Address denied" }])
    router.close()
  })
})

// Runs once core's CURVE mechanism is available (and asks ZAP, as libzmq's curve_server does).
describe.skipIf(!capability.curve)("CURVE", () => {
  it("a client whose certificate is in the folder is let in; a stranger is refused", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zmqts-e2e-certs-"))
    try {
      const serverCertificate = await createCertificate(folder, "server")
      const clients = join(folder, "clients")
      await mkdir(clients)
      const known = await createCertificate(clients, "known")
      const stranger = await createCertificate(folder, "stranger")
      auth.configureCurve({ directory: clients })
      const { router, address } = await server({ curveServer: true, curveSecretKey: serverCertificate.secretKey })
      const client = (certificate: typeof known): Dealer =>
        new Dealer({ context, curveServerKey: serverCertificate.publicKey, curvePublicKey: certificate.publicKey, curveSecretKey: certificate.secretKey, linger: 0 })
      await using good = client(known)
      good.connect(address)
      await expectDelivered(router, good)
      await using bad = client(stranger)
      await expectRefused(router, bad, address)
      expect(decisions).toMatchObject([
        { mechanism: "CURVE", publicKey: known.publicKey, allowed: true, userId: known.publicKey },
        { mechanism: "CURVE", publicKey: stranger.publicKey, allowed: false, reason: "Unknown key" },
      ])
      router.close()
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
