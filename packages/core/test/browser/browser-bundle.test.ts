import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { bundleBrowserApp, remainingImports } from "./bundle-browser-app.js"
import { runInBrowserSandbox } from "./browser-sandbox.js"

const app = fileURLToPath(new URL("./app.ts", import.meta.url))
const minimalReq = fileURLToPath(new URL("./minimal-req.ts", import.meta.url))
/** `pnpm build` has made the browser build (CI builds before it tests, so there it must exist). */
const BUILT = existsSync(fileURLToPath(new URL("../../dist/browser/index.js", import.meta.url)))

type App = {
  refusals(): Promise<Record<string, string>>
  inproc(count: number): Promise<number>
  capability: Record<string, boolean>
}

describe.each([
  ["esbuild", "source"],
  ["vite", "source"],
  ["esbuild", "dist"],
  ["vite", "dist"],
] as const)("a browser app bundled by %s from the packages' %s", (bundler, from) => {
  // From dist only after `pnpm build` (CI always builds first): skipped, not failed, on a fresh checkout.
  const unbuilt = from === "dist" && !BUILT && process.env["CI"] !== "true"
  it.skipIf(unbuilt)("imports no Node built-in and nothing else: one self-contained script", { timeout: 60_000 }, async () => {
    const bundle = await bundleBrowserApp(app, { bundler, from, minify: false })
    const imports = remainingImports(bundle.code)
    expect(imports.nodeSpecifiers).toEqual([])
    expect(imports.builtins).toEqual([])
    expect(imports.specifiers).toEqual([])
    // The Node transports are not in it (their net/dgram code would be dead weight, or worse).
    expect(bundle.code).not.toMatch(/createServer|createSocket\(/)
    // Nor a Node global a page lacks (the sandbox test catches those on the paths it runs; this, everywhere).
    // Comments aside (the bundler's "// src/platform/process.browser.ts", JSDoc that names process.exit()).
    const code = bundle.code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    expect(code).not.toMatch(/\bprocess\.|[^.\w]global\.|__dirname|__filename/)
  })

  it.skipIf(unbuilt)("runs with only a browser's globals: inproc works, and what a page cannot do fails with a typed error", { timeout: 60_000 }, async () => {
    const bundle = await bundleBrowserApp(app, { bundler, from })
    const page = runInBrowserSandbox(bundle.code).zmqBrowserApp as App
    expect(await page.inproc(100)).toBe(100)
    expect(page.capability).toMatchObject({ ipc: false, curve: false, draft: true })
    const refusals = await page.refusals()
    expect(refusals["bind ws"]).toMatch(/^ENOTSUP: cannot bind ws:\/\/127\.0\.0\.1:5555: a browser can only connect/)
    expect(refusals["connect tcp"]).toMatch(/^EPROTONOSUPPORT: transport "tcp" is not available in a browser/)
    expect(refusals["connect ipc"]).toMatch(/^EPROTONOSUPPORT: transport "ipc" is not available in a browser/)
    expect(refusals["connect ws with CURVE"]).toMatch(/^ENOTSUP: CURVE over ws:\/\/127\.0\.0\.1:5555 needs the subprotocol ZWS2\.0\/CURVE/)
    expect(refusals["connect ws with PLAIN"]).toMatch(/^ENOTSUP: PLAIN over ws:\/\/127\.0\.0\.1:5555 needs the subprotocol ZWS2\.0\/PLAIN/)
  })
})

describe("the draft entry in a browser app", () => {
  it("bundles with the main one into one copy of core, no Node built-in; CLIENT/SERVER over inproc", { timeout: 60_000 }, async () => {
    const from = BUILT ? "dist" : "source"
    const bundle = await bundleBrowserApp(fileURLToPath(new URL("./draft-app.ts", import.meta.url)), { from })
    expect(remainingImports(bundle.code).specifiers).toEqual([])
    const page = runInBrowserSandbox(bundle.code).zmqDraftApp as { clientServer(): Promise<{ sharedCore: boolean; reply: string }> }
    expect(await page.clientServer()).toEqual({ sharedCore: true, reply: "ping:pong" })
  })
})

describe("the minimal REQ client", () => {
  it("is small: its minified and gzipped size, printed for the README", { timeout: 60_000 }, async () => {
    const sizes: string[] = []
    const from = BUILT ? "dist" : "source"
    for (const bundler of ["esbuild", "vite"] as const) {
      const bundle = await bundleBrowserApp(minimalReq, { bundler, from, format: "esm" })
      expect(remainingImports(bundle.code).specifiers).toEqual([])
      sizes.push(`${bundler} (${from}): ${(bundle.bytes / 1024).toFixed(1)} KiB minified, ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzipped`)
      // A budget, so that a change that drags Node code or the CURVE crypto into the browser build fails.
      expect(bundle.gzipBytes).toBeLessThan(60 * 1024)
    }
    console.log(`minimal REQ client for the browser — ${sizes.join("; ")}`)
  })
})
