import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// What a user installs is dist/, not src/: check both module formats load through the package's exports
// map and expose the same API. CI builds before testing; a plain `pnpm test` without a build skips this.
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const built = existsSync(`${packageDir}/dist/index.js`) && existsSync(`${packageDir}/dist/index.cjs`)

const probe = `
  const api = MODULE;
  const conn = new api.ZmtpConnection({ socketType: "DEALER" });
  console.log(JSON.stringify({ keys: Object.keys(api).sort(), greeting: conn.dataToSend().length,
    z85: api.z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])) }));
`

function run(kind: "esm" | "cjs"): { keys: string[]; greeting: number; z85: string } {
  const script =
    kind === "esm"
      ? `import("@zmq-ts/zmtp").then((m) => { ${probe.replace("MODULE", "m")} })`
      : probe.replace("MODULE", 'require("@zmq-ts/zmtp")')
  // Run from the package directory so the self-reference "@zmq-ts/zmtp" resolves through its exports map.
  const out = execFileSync(process.execPath, kind === "esm" ? ["--input-type=module", "-e", script] : ["-e", script], {
    cwd: packageDir,
    encoding: "utf8",
  })
  return JSON.parse(out) as { keys: string[]; greeting: number; z85: string }
}

describe.skipIf(!built)("published entry points (dist)", () => {
  it("loads as ESM and as CommonJS with the same exports", () => {
    const esm = run("esm")
    const cjs = run("cjs")
    expect(esm.keys).toContain("ZmtpConnection")
    expect(esm.keys).toContain("ZmtpError")
    expect(cjs.keys).toEqual(esm.keys)
    expect(esm.greeting).toBe(64)
    expect(cjs.z85).toBe("HelloWorld")
  })
})
