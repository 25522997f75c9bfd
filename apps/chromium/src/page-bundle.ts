/**
 * Which build of the packages the pages bundle: by default the built ones (dist/, as an app installing
 * @zmq-ts/core from npm gets them; CI builds first), or the sources with ZMQ_TS_BROWSER_FROM=source (for
 * working on the suite without rebuilding).
 */
import { fileURLToPath } from "node:url"
import { bundlePage, bundlePageWithVite, type Bundle } from "./page-server.js"

export const FROM_SOURCE = process.env["ZMQ_TS_BROWSER_FROM"] === "source"

/** Bundles pages/<name>.ts with esbuild (default) or Vite. */
export function bundleSuitePage(name: string, bundler: "esbuild" | "vite" = "esbuild"): Promise<Bundle> {
  const entry = fileURLToPath(new URL(`../pages/${name}.ts`, import.meta.url))
  const conditions = FROM_SOURCE ? ["@zmq-ts/source"] : []
  return bundler === "vite" ? bundlePageWithVite(entry, conditions) : bundlePage(entry, conditions)
}
