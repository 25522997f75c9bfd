#!/usr/bin/env node
// Enforces the layering in docs/architecture.md, between packages and inside them:
// - each package's source imports only the workspace packages its row allows, through their entry points;
// - @zmq-ts/zmtp imports nothing at all (no node: built-ins, no Buffer), so it runs unchanged in browsers,
//   workers, Deno and Bun;
// - no package's source has an import circle, type-only imports included;
// - inside a package with a folder table (core), a file imports only from its own folder or from folders
//   its folder's row allows: arrows point from higher layers to lower ones.
// Usage: node scripts/check-layers.mjs [root]   (root defaults to the repository; the tests pass a fixture)
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"

const root = resolve(process.argv[2] ?? new URL("..", import.meta.url).pathname)
const ALLOWED = {
  "@zmq-ts/zmtp": [],
  "@zmq-ts/core": ["@zmq-ts/zmtp", "@zmq-ts/curve"],
  "@zmq-ts/curve": ["@zmq-ts/zmtp", "libsodium-wrappers-sumo"],
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
/**
 * How a BUFFER_IMPORT package's file gets Buffer: from node:buffer, through its platform seam, or (the
 * browser twins in platform/) from the twin, or by being it.
 */
const bufferImport = /import (?:type )?\{[^}]*\bBuffer\b[^}]*\} from "(?:node:buffer|#platform\/buffer|\.\/buffer\.browser\.js)"|^export class Buffer\b/m
/**
 * The folders of a package's src/, top layer first, each with what it may import besides its own folder:
 * a folder, one file of a folder (the socket base and the context reach transports only through the
 * registry and the Transport interface, never a transport by name), or the package's own name (its public
 * entry, imported as a user would). Files at the top of src/ ("") are the
 * package's entry points. docs/architecture.md has the same table with what each folder holds; a new
 * folder needs a row in both.
 */
const FOLDERS = {
  "@zmq-ts/core": {
    // The public entries: index.ts, v5-compat.ts, auth.ts, draft.ts.
    "": ["v5", "auth", "sockets", "tools", "socket", "context", "transports", "engine", "security", "pipes", "common", "platform"],
    // zeromq.js's v5 API is written on our public API, imported by the package's own name: one copy of the
    // core's state (default context, registry) even in CommonJS, where tsup keeps it external.
    v5: ["@zmq-ts/core", "common/fifo.ts", "platform"],
    // The ZAP handler is written on the public API as user code would be (docs/decisions/0011), plus the
    // codec's Z85.
    auth: ["@zmq-ts/core", "@zmq-ts/zmtp", "platform"],
    sockets: ["socket", "pipes", "common", "platform"],
    tools: ["socket", "pipes", "common", "platform"],
    socket: ["context", "transports/registry.ts", "transports/transport.ts", "pipes", "common", "platform"],
    context: ["transports/registry.ts", "transports/transport.ts", "common", "platform"],
    // tcp/, ipc/ (and the stream/ they share), inproc/, threads/, udp/: one folder per transport, one row.
    transports: ["engine", "pipes", "common", "platform"],
    engine: ["security", "pipes", "common", "platform"],
    security: ["common", "platform"],
    pipes: ["common", "platform"],
    common: ["platform"],
    // The platform seam (docs/decisions/0014): one file per concern that differs between Node and a
    // browser (buffer, events, random, process, timers, threads), each with a `.browser.ts` twin chosen by
    // the `browser` condition of the package's "#platform/*" imports. The bottom layer.
    platform: [],
  },
}

const problems = []

function sourceFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|mts|cts)$/.test(entry) && !entry.endsWith(".d.ts")) out.push(path)
  }
  return out
}

// `import … from`, `export … from` (type-only too), `import "…"`, `import("…")`, `require("…")`.
const importPattern =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g

function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1")
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec)
  const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), base.replace(/\.cjs$/, ".cts"), `${base}.ts`, join(base, "index.ts")]
  return candidates.find((path) => existsSync(path) && statSync(path).isFile())
}

/**
 * The source files a `#…` specifier (the package.json "imports" field, Node's subpath imports) names: every
 * condition's target, so the Node file and its browser twin are both checked.
 */
function resolveSubpathImport(pkgDir, imports, spec) {
  for (const [pattern, targets] of Object.entries(imports ?? {})) {
    const star = pattern.indexOf("*")
    let fill
    if (star < 0) {
      if (pattern !== spec) continue
      fill = ""
    } else {
      const head = pattern.slice(0, star)
      const tail = pattern.slice(star + 1)
      if (!spec.startsWith(head) || !spec.endsWith(tail) || spec.length < head.length + tail.length) continue
      fill = spec.slice(head.length, spec.length - tail.length)
    }
    const leaves = []
    const collect = (target) => {
      if (typeof target === "string") leaves.push(target)
      else if (target !== null && typeof target === "object") for (const value of Object.values(target)) collect(value)
    }
    collect(targets)
    return leaves.map((leaf) => resolve(pkgDir, leaf.replaceAll("*", fill)))
  }
  return undefined
}

/** The folder of src/ a file is in: its first path segment, or "" for a file at the top. */
function folderOf(srcDir, file) {
  const parts = relative(srcDir, file).split(sep)
  return parts.length === 1 ? "" : parts[0]
}

/**
 * Every import circle among `graph`'s nodes (Tarjan's strongly connected components): one concrete path
 * through each, and how many nodes its component holds (a component can hold several circles).
 */
function circles(graph) {
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  let next = 0
  const visit = (node) => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node), low.get(target)))
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node), index.get(target)))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component = new Set()
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.add(member)
    } while (member !== node)
    if (component.size > 1 || graph.get(node)?.has(node)) found.push({ path: cyclePath(graph, component, node), size: component.size })
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

/** One concrete circle through `start` inside a strongly connected component, for the message. */
function cyclePath(graph, component, start) {
  const previous = new Map([[start, undefined]])
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()
    for (const target of graph.get(node) ?? []) {
      if (!component.has(target)) continue
      if (target === start) {
        const path = [start]
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at)
        return [...path, start]
      }
      if (!previous.has(target)) {
        previous.set(target, node)
        queue.push(target)
      }
    }
  }
  return [start, start]
}

/** A folder table must itself point one way, or "higher → lower" means nothing. */
function checkFolderTable(name, table) {
  const graph = new Map(
    Object.entries(table).map(([folder, allowed]) => [folder, new Set(allowed.filter((entry) => !entry.startsWith("@")).map((entry) => entry.split("/")[0]))]),
  )
  for (const [folder, allowed] of graph) {
    for (const target of allowed) {
      if (!graph.has(target)) problems.push(`${name}: folder table: ${folder || "(top)"} may import ${target}, which has no row`)
    }
  }
  for (const { path } of circles(graph)) problems.push(`${name}: folder table has a circle: ${path.map((f) => f || "(top)").join(" → ")}`)
}

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
    const folders = FOLDERS[manifest.name]
    if (folders !== undefined) checkFolderTable(manifest.name, folders)
    const graph = new Map()
    for (const file of sourceFiles(srcDir)) {
      const text = readFileSync(file, "utf8")
      const code = withoutComments(text)
      const where = relative(root, file)
      const edges = new Set()
      graph.set(file, edges)
      const folder = folderOf(srcDir, file)
      if (folders !== undefined && folders[folder] === undefined) {
        problems.push(`${where}: folder ${folder}/ has no row in the folder table of scripts/check-layers.mjs (and docs/architecture.md)`)
      }
      for (const match of code.matchAll(importPattern)) {
        const spec = match[1] ?? match[2] ?? match[3] ?? match[4]
        const targets = spec.startsWith(".")
          ? [resolveRelative(file, spec)]
          : spec.startsWith("#")
            ? resolveSubpathImport(pkgDir, manifest.imports, spec)?.filter((path) => existsSync(path))
            : undefined
        if (spec.startsWith("#") && (targets === undefined || targets.length === 0)) {
          problems.push(`${where}: imports ${spec}, which the package.json "imports" field does not map to a file`)
          continue
        }
        for (const target of targets ?? []) {
          if (target === undefined) continue // the typecheck reports it
          if (!target.startsWith(srcDir + sep)) {
            problems.push(`${where}: imports ${spec}, outside ${relative(root, srcDir)}`)
            continue
          }
          edges.add(target)
          const targetFolder = folderOf(srcDir, target)
          const may = folders?.[folder]
          if (may !== undefined && targetFolder !== folder && !may.includes(targetFolder) && !may.includes(relative(srcDir, target).split(sep).join("/"))) {
            const list = may.length > 0 ? may.map((entry) => (entry.endsWith(".ts") || entry.startsWith("@") ? entry : `${entry}/`)).join(", ") : "nothing outside it"
            problems.push(`${where}: imports ${relative(srcDir, target)}; ${folder || "(top)"}/ may import only ${list}`)
          }
        }
        if (targets !== undefined) continue
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
        if (pkg === manifest.name) {
          if (spec !== pkg) problems.push(`${where}: deep import ${spec}; import the package's public entry point`)
          else if (!folders?.[folder]?.includes(pkg)) problems.push(`${where}: imports its own package ${pkg}; only a folder whose row lists it may`)
          continue
        }
        if (NO_PLATFORM.has(manifest.name)) {
          problems.push(`${where}: imports ${spec}; ${manifest.name} may import nothing`)
        } else if (pkg.startsWith("@zmq-ts/") && !allowed.includes(pkg)) {
          problems.push(`${where}: imports ${spec}; ${manifest.name} may import only ${allowed.join(", ") || "nothing"}`)
        } else if (spec !== pkg && pkg.startsWith("@zmq-ts/")) {
          problems.push(`${where}: deep import ${spec}; import the package's public entry point`)
        }
      }
      if (NO_PLATFORM.has(manifest.name) && /\bBuffer\b|\bprocess\.|\bsetTimeout\b|\bsetInterval\b/.test(code)) {
        problems.push(`${where}: uses a Node or timer global; ${manifest.name} is sans-IO and platform-free`)
      }
      if (BUFFER_IMPORT.has(manifest.name) && /\bBuffer\.\w/.test(code) && !bufferImport.test(text)) {
        problems.push(`${where}: uses the global Buffer (a getter on each access); import { Buffer } from "#platform/buffer" (or "node:buffer")`)
      }
    }
    for (const { path, size } of circles(graph)) {
      const more = size > path.length - 1 ? ` (${size} files import each other in all)` : ""
      problems.push(`${manifest.name}: import circle: ${path.map((file) => relative(srcDir, file)).join(" → ")}${more}`)
    }
  }
}

if (problems.length > 0) {
  console.error(`layer check failed:\n  ${problems.join("\n  ")}`)
  process.exit(1)
}
console.log("layer check passed")
