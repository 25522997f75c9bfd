#!/usr/bin/env node
// Enforces the layering in docs/architecture.md: each package's source may import only the workspace
// packages its row allows, and @zmq-ts/zmtp imports nothing at all (no node: built-ins, no Buffer), so it
// runs unchanged in browsers, workers, Deno and Bun.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const ALLOWED = {
  "@zmq-ts/zmtp": [],
  "@zmq-ts/core": ["@zmq-ts/zmtp"],
  "@zmq-ts/zhelpers": ["@zmq-ts/core"],
  "@zmq-ts/patterns": ["@zmq-ts/core", "@zmq-ts/zhelpers"],
}
const NO_PLATFORM = new Set(["@zmq-ts/zmtp"])
/**
 * Packages whose hot paths make Buffers: Node's global `Buffer` is a getter (kept for an ES-module
 * deprecation path), and reading it once per message cost 7–10 % of tcp throughput on each side. They must
 * import it from "node:buffer", a plain module binding.
 */
const BUFFER_IMPORT = new Set(["@zmq-ts/core"])

const problems = []

function sourceFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|mts|cts)$/.test(entry)) out.push(path)
  }
  return out
}

const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g

for (const dir of ["packages"]) {
  const base = join(root, dir)
  if (!existsSync(base)) continue
  for (const name of readdirSync(base)) {
    const pkgDir = join(base, name)
    const manifestPath = join(pkgDir, "package.json")
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"))
    const allowed = ALLOWED[manifest.name]
    if (allowed === undefined) {
      problems.push(`${manifest.name}: not in the layer table of scripts/check-layers.mjs and docs/architecture.md`)
      continue
    }
    const runtimeDeps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
    for (const dep of runtimeDeps) {
      if (!allowed.includes(dep)) problems.push(`${manifest.name}: runtime dependency ${dep} is not allowed`)
    }
    const srcDir = join(pkgDir, "src")
    if (!existsSync(srcDir)) continue
    for (const file of sourceFiles(srcDir)) {
      const text = readFileSync(file, "utf8")
      const where = relative(root, file)
      for (const match of text.matchAll(importPattern)) {
        const spec = match[1] ?? match[2] ?? match[3]
        if (spec.startsWith(".")) continue
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
        if (NO_PLATFORM.has(manifest.name)) {
          problems.push(`${where}: imports ${spec}; ${manifest.name} may import nothing`)
        } else if (pkg.startsWith("@zmq-ts/") && !allowed.includes(pkg)) {
          problems.push(`${where}: imports ${spec}; ${manifest.name} may import only ${allowed.join(", ") || "nothing"}`)
        } else if (spec !== pkg && pkg.startsWith("@zmq-ts/")) {
          problems.push(`${where}: deep import ${spec}; import the package's public entry point`)
        }
      }
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")
      if (NO_PLATFORM.has(manifest.name) && /\bBuffer\b|\bprocess\.|\bsetTimeout\b|\bsetInterval\b/.test(code)) {
        problems.push(`${where}: uses a Node or timer global; ${manifest.name} is sans-IO and platform-free`)
      }
      if (BUFFER_IMPORT.has(manifest.name) && /\bBuffer\.\w/.test(code) && !/import \{[^}]*\bBuffer\b[^}]*\} from "node:buffer"/.test(text)) {
        problems.push(`${where}: uses the global Buffer (a getter on each access); import { Buffer } from "node:buffer"`)
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`layer check failed:\n  ${problems.join("\n  ")}`)
  process.exit(1)
}
console.log("layer check passed")
