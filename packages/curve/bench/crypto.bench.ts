/**
 * CURVE's costs on this machine (docs/decisions/0010-curve-crypto.md): box throughput, X25519 operations,
 * whole handshakes and MESSAGE round trips through two ZmtpConnections, with the fast paths on and off.
 * Each figure is the best of 3 timed runs after a warm-up. Run: pnpm --filter @zmq-ts/curve bench
 */
import { ZmtpConnection } from "@zmq-ts/zmtp"
import sodium from "libsodium-wrappers-sumo"
import { cpus } from "node:os"
import { curveClient, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { curveBackends, disableFastPaths, SecretKey, sealMessage, openMessage } from "../src/primitives.js"

await loadCurve()
const fast = curveBackends()

function measure(run: (iterations: number) => void, minMs = 300): number {
  run(50) // warm-up
  let best = 0
  for (let round = 0; round < 3; round++) {
    let iterations = 0
    let elapsed = 0
    let batch = 20
    const start = performance.now()
    while (elapsed < minMs) {
      run(batch)
      iterations += batch
      elapsed = performance.now() - start
      batch *= 2
    }
    best = Math.max(best, (iterations / elapsed) * 1000)
  }
  return best // per second
}

const format = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const rows: string[][] = []
const row = (...cells: string[]) => {
  rows.push(cells)
  console.log(cells.join(" | "))
}

const key = sodium.randombytes_buf(32)
const nonce = sodium.randombytes_buf(24)
const SIZES = [64, 1024, 64 * 1024]

function boxes(label: string): void {
  for (const size of SIZES) {
    const body = sodium.randombytes_buf(size)
    const out = new Uint8Array(17 + size)
    const wrapper = measure((n) => {
      for (let i = 0; i < n; i++) sodium.crypto_box_easy_afternm(body, nonce, key)
    })
    const seal = measure((n) => {
      for (let i = 0; i < n; i++) sealMessage(out, 0, 0, body, nonce, key)
    })
    const opened = { flags: 0, body: new Uint8Array(0) }
    const open = measure((n) => {
      for (let i = 0; i < n; i++) openMessage(opened, out, 0, nonce, key)
    })
    row(`box ${label}`, `${size} B`, `wrapper ${((wrapper * size) / 1e6).toFixed(0)} MB/s`, `MESSAGE seal ${((seal * size) / 1e6).toFixed(0)} MB/s`, `open ${((open * size) / 1e6).toFixed(0)} MB/s`)
  }
}

function x25519(label: string): void {
  const ours = SecretKey.generate()
  const theirs = sodium.crypto_box_keypair().publicKey
  // A fresh array of the peer's key each time, as a handshake has (its import is cached per array).
  const ops = measure((n) => {
    for (let i = 0; i < n; i++) ours.boxKey(new Uint8Array(theirs))
  })
  const fresh = measure((n) => {
    for (let i = 0; i < n; i++) SecretKey.generate().boxKey(new Uint8Array(theirs))
  })
  row(`x25519 ${label}`, `beforenm (cached own key) ${format(ops)}/s`, `fresh key + beforenm ${format(fresh)}/s`)
}

const server = { public: decodeCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "k"), secret: decodeCurveKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "k") }
const client = { public: decodeCurveKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "k"), secret: decodeCurveKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "k") }

function pair(mechanisms: "CURVE" | "NULL"): [ZmtpConnection, ZmtpConnection] {
  const a = new ZmtpConnection({ socketType: "DEALER", ...(mechanisms === "CURVE" ? { mechanism: curveClient({ publicKey: client.public, secretKey: client.secret, serverKey: server.public }) } : {}) })
  const b = new ZmtpConnection({ socketType: "ROUTER", ...(mechanisms === "CURVE" ? { mechanism: curveServer({ secretKey: server.secret, authenticate: () => ({ allow: true }) }) } : {}) })
  for (let i = 0; i < 4; i++) {
    b.receiveData(a.dataToSend())
    a.receiveData(b.dataToSend())
  }
  if (a.state !== "ready" || b.state !== "ready") throw new Error("handshake did not complete")
  return [a, b]
}

function handshakes(label: string): void {
  const rate = measure((n) => {
    for (let i = 0; i < n; i++) pair("CURVE")
  })
  row(`handshake ${label}`, `${format(rate)}/s (both sides in one thread)`)
}

function connectionThroughput(label: string, mechanism: "CURVE" | "NULL"): void {
  for (const size of SIZES) {
    const [a, b] = pair(mechanism)
    const message = [sodium.randombytes_buf(size)]
    const rate = measure((n) => {
      for (let i = 0; i < n; i++) a.send(message)
      b.receiveData(a.dataToSend(), { frame() {}, message() {}, event() {} })
    })
    row(`connection ${label}`, `${size} B`, `${format(rate)} msg/s`, `${((rate * size) / 1e6).toFixed(0)} MB/s`)
  }
}

console.log(`${cpus()[0]?.model ?? "?"} × ${cpus().length}, Node ${process.version}; backends ${JSON.stringify(fast)}`)
boxes("raw")
x25519(fast.x25519)
handshakes(`${fast.x25519} + ${fast.message}`)
connectionThroughput("CURVE", "CURVE")
connectionThroughput("NULL", "NULL")
disableFastPaths({ x25519: true, message: true })
boxes("wrappers only")
x25519("libsodium")
handshakes("libsodium only")
connectionThroughput("CURVE (wrappers)", "CURVE")
