import { builtinModules } from "node:module"
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { fileURLToPath } from "node:url"

/** The repository's root, where a bundler resolves the workspace packages from. */
const root = fileURLToPath(new URL("../../../../", import.meta.url))

export interface BrowserBundle {
  /** The bundle: one script, nothing left to import. */
  readonly code: string
  /** Bytes of `code`, minified when asked. */
  readonly bytes: number
  /** Bytes of `code` gzipped (level 9), the figure a server sends. */
  readonly gzipBytes: number
}

export interface BundleOptions {
  /** esbuild (its own browser platform) or Vite (its default client conditions). */
  readonly bundler?: "esbuild" | "vite"
  /**
   * "source": the workspace packages' TypeScript (their "@zmq-ts/source" condition, added to the bundler's
   * own browser conditions), so `pnpm test` needs no build; "dist": the built packages, exactly as a user
   * installs them (run `pnpm build` first).
   */
  readonly from?: "source" | "dist"
  readonly minify?: boolean
  /** "iife" runs as a classic script (and in node:vm); "esm" as a module script. */
  readonly format?: "iife" | "esm"
}

/**
 * Bundles `entry` (a file importing "@zmq-ts/core" as an app does) for the browser, with no configuration
 * beyond what any app has: no alias, no polyfill, no define. The Chromium suite loads the same bundle.
 */
export async function bundleBrowserApp(entry: string, options: BundleOptions = {}): Promise<BrowserBundle> {
  const { bundler = "esbuild", from = "source", minify = true, format = "iife" } = options
  const code = bundler === "esbuild" ? await withEsbuild(entry, from, minify, format) : await withVite(entry, from, minify, format)
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length }
}

async function withEsbuild(entry: string, from: "source" | "dist", minify: boolean, format: "iife" | "esm"): Promise<string> {
  const { build } = await import("esbuild")
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: "browser",
    format,
    target: "es2022",
    minify,
    // esbuild's browser platform already has "browser"; the source condition only for untbuilt packages.
    ...(from === "source" ? { conditions: ["@zmq-ts/source"] } : {}),
    logLevel: "silent",
  })
  return result.outputFiles[0]!.text
}

async function withVite(entry: string, from: "source" | "dist", minify: boolean, format: "iife" | "esm"): Promise<string> {
  const { build, defaultClientConditions } = await import("vite")
  const outDir = mkdtempSync(join(tmpdir(), "zmq-ts-vite-"))
  try {
    await build({
      root,
      configFile: false,
      logLevel: "silent",
      resolve: { conditions: from === "source" ? ["@zmq-ts/source", ...defaultClientConditions] : [...defaultClientConditions] },
      build: {
        outDir,
        emptyOutDir: true,
        minify,
        target: "es2022",
        lib: { entry, formats: [format === "esm" ? "es" : "iife"], name: "zmqBrowserAppBundle", fileName: () => "app.js" },
        // A top-level await (the minimal client has one) needs a module; lib mode keeps what it can inline.
        rollupOptions: {},
      },
    })
    const files = readdirSync(outDir).filter((name) => name.endsWith(".js"))
    return files.map((name) => readFileSync(join(outDir, name), "utf8")).join("\n")
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** Node's built-in modules, bare and with "node:": none may appear in a browser bundle. */
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/**
 * What `code` still imports or requires (a bundle for the browser should import nothing), and which of
 * those are Node built-ins; plus any "node:" specifier anywhere in it.
 */
export function remainingImports(code: string): { readonly specifiers: string[]; readonly builtins: string[]; readonly nodeSpecifiers: string[] } {
  const specifiers = new Set<string>()
  for (const match of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    specifiers.add(match[1] ?? match[2] ?? match[3]!)
  }
  const nodeSpecifiers = [...new Set(code.match(/["'`]node:[a-z_/]+["'`]/g) ?? [])]
  return { specifiers: [...specifiers], builtins: [...specifiers].filter((name) => BUILTINS.has(name)), nodeSpecifiers }
}
