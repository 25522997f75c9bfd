/**
 * A page as an app would ship it: the entry bundled by esbuild (or Vite) for the browser (so "@zmq-ts/core" resolves
 * through its package exports and `browser` condition, and a `node:` import anywhere fails the build), served
 * with a one-line HTML file from an http server on 127.0.0.1, port 0.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { build } from "esbuild"
import { build as viteBuild, defaultClientConditions } from "vite"

export interface Bundle {
  /** The bundled ES module. */
  readonly code: string
  /** Its size in bytes, as served (not minified, not compressed). */
  readonly bytes: number
}

/**
 * Bundles `entry` (a file path) for the browser, as `esbuild --bundle --platform=browser --format=esm` would;
 * `conditions` are added to esbuild's (browser, import, default).
 */
export async function bundlePage(entry: string, conditions: readonly string[] = []): Promise<Bundle> {
  const result = await build({
    conditions: [...conditions],
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
  })
  const file = result.outputFiles[0]
  if (file === undefined) throw new Error(`esbuild produced nothing for ${entry}`)
  return { code: file.text, bytes: file.contents.byteLength }
}

/**
 * Bundles `entry` with Vite as an app's `vite build` would (its client conditions, which include "browser";
 * one ES module, nothing external), `conditions` added before Vite's own.
 */
export async function bundlePageWithVite(entry: string, conditions: readonly string[] = []): Promise<Bundle> {
  const result = await viteBuild({
    configFile: false,
    logLevel: "silent",
    resolve: { conditions: [...conditions, ...defaultClientConditions] },
    build: {
      write: false,
      target: "es2022",
      minify: false,
      lib: { entry, formats: ["es"], fileName: () => "app.js" },
    },
  })
  const outputs = Array.isArray(result) ? result : [result]
  const chunks = outputs.flatMap((output) => ("output" in output ? output.output : [])).filter((chunk) => chunk.type === "chunk")
  if (chunks.length !== 1) throw new Error(`vite made ${chunks.length} chunks for ${entry}; the page loads one`)
  const code = chunks[0]!.code
  return { code, bytes: Buffer.byteLength(code) }
}

export interface ServedPage {
  /** http://127.0.0.1:PORT/ */
  readonly url: string
  close(): Promise<void>
}

/** Serves `code` as /app.js under an index.html that loads it as a module. */
export async function servePage(code: string, title = "zmq-ts"): Promise<ServedPage> {
  const html = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title><script type="module" src="/app.js"></script>\n`
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]
    if (path === "/" || path === "/index.html") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html)
    } else if (path === "/app.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(code)
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
