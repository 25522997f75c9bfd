import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// What a user installs is dist/, not src/: both module formats must load through the exports map, load
// libsodium, and agree. CI builds before testing; a plain `pnpm test` without a build skips this.
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const built = existsSync(`${packageDir}/dist/index.js`) && existsSync(`${packageDir}/dist/index.cjs`)

const probe = `
  const api = MODULE;
  api.loadCurve().then(() => {
    const pair = api.curveKeyPair();
    const server = api.curveServer({ secretKey: api.decodeCurveKey(pair.secretKey, "secretKey") });
    console.log(JSON.stringify({ keys: Object.keys(api).sort(), loaded: api.curveLoaded(), name: server.name,
      pub: api.curvePublicKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"), consistent: api.curvePublicKey(pair.secretKey) === pair.publicKey }));
  });
`

function run(kind: "esm" | "cjs"): { keys: string[]; loaded: boolean; name: string; pub: string; consistent: boolean } {
  const script = kind === "esm" ? `import("@zmq-ts/curve").then((m) => { ${probe.replace("MODULE", "m")} })` : probe.replace("MODULE", 'require("@zmq-ts/curve")')
  const out = execFileSync(process.execPath, kind === "esm" ? ["--input-type=module", "-e", script] : ["-e", script], { cwd: packageDir, encoding: "utf8" })
  return JSON.parse(out) as ReturnType<typeof run>
}

describe.skipIf(!built)("published entry points (dist)", () => {
  it("loads as ESM and as CommonJS with the same exports, and both load libsodium", () => {
    const esm = run("esm")
    const cjs = run("cjs")
    expect(esm.keys).toEqual(["CurveKeyError", "curveClient", "curveKeyPair", "curveLoaded", "curvePublicKey", "curveServer", "decodeCurveKey", "loadCurve"])
    expect(cjs.keys).toEqual(esm.keys)
    for (const result of [esm, cjs]) {
      expect(result).toMatchObject({ loaded: true, name: "CURVE", pub: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", consistent: true })
    }
  })
})
