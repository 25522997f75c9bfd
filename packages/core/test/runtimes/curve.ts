/**
 * CURVE between our sockets on the runtime under test: libsodium's WebAssembly build (loaded by
 * @zmq-ts/curve on the first CURVE handshake) and the platform's X25519 (curveKeyPair) must both work there.
 * REQ/REP over tcp and ws; a client with the wrong server key never completes the handshake.
 */
import { Reply, Request, curveKeyPair } from "@zmq-ts/core"
import { check, equal, test } from "./harness.ts"

for (const address of ["tcp://127.0.0.1:*", "ws://127.0.0.1:*/zmq"]) {
  const transport = address.slice(0, address.indexOf(":"))
  test(`CURVE REQ/REP over ${transport}`, async ({ track }) => {
    const server = curveKeyPair()
    const client = curveKeyPair()
    check(server.publicKey.length === 40 && server.secretKey.length === 40, "Z85 keys of 40 characters")
    const rep = track(new Reply({ curveServer: true, curveSecretKey: server.secretKey }))
    await rep.bind(address)
    const req = track(new Request({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }))
    req.connect(rep.lastEndpoint!)
    const big = new Uint8Array(64 * 1024).fill(9)
    await req.send(["secret", big])
    const [first, second] = await rep.receive()
    equal(new TextDecoder().decode(first), "secret", "the first frame, decrypted")
    check(second!.length === big.length && second!.every((byte) => byte === 9), "the 64 KiB frame, decrypted")
    await rep.send("ok")
    equal(new TextDecoder().decode((await req.receive())[0]), "ok", "the encrypted reply")
  }, 20_000)
}

test("CURVE: a client with the wrong server key gets a handshake error, never a message", async ({ track }) => {
  const server = curveKeyPair()
  const rep = track(new Reply({ curveServer: true, curveSecretKey: server.secretKey }))
  await rep.bind("tcp://127.0.0.1:*")
  const wrong = curveKeyPair()
  const client = curveKeyPair()
  const req = track(new Request({ curveServerKey: wrong.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }))
  const failed = new Promise<string>((resolve) => {
    rep.events.on("handshake:error:protocol", () => resolve("protocol"))
    rep.events.on("handshake:error:auth", () => resolve("auth"))
    rep.events.on("handshake:error:other", () => resolve("other"))
  })
  req.connect(rep.lastEndpoint!)
  const kind = await failed
  check(["protocol", "auth", "other"].includes(kind), "a handshake error event at the server")
}, 20_000)
