#!/usr/bin/env node
// Checks every publishable package as npm would receive it: `pnpm pack` each one into a temporary folder,
// then lint the tarball with publint (the manifest: exports, files, fields) and with Are the Types Wrong
// (every subpath of `exports` resolves to the right JavaScript and types under node16 from CJS and from
// ESM and bundler resolution, and the root under node10 too: see `ignored`). Part of `pnpm lint`; runs on
// the build, so `pnpm build` first (CI's .ci/run does). Decision 0009 has the reasons.
// Usage: node scripts/check-packages.mjs [package folder…]   (defaults to every non-private packages/*)
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { promisify } from "node:util"
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core"
import { problemKindInfo } from "@arethetypeswrong/core/problems"
import { publint } from "publint"
import { formatMessage } from "publint/utils"

const root = resolve(new URL("..", import.meta.url).pathname)
const started = performance.now()

function packageDirs() {
  const given = process.argv.slice(2)
  if (given.length > 0) return given.map((dir) => resolve(dir))
  const base = join(root, "packages")
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .filter((dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private !== true)
}

/** The file under `path` (a file or a folder) that `better` prefers by modification time. */
function pickFile(path, better) {
  if (!existsSync(path)) return undefined
  const stat = statSync(path)
  if (!stat.isDirectory()) return { path, time: stat.mtimeMs }
  let found
  for (const entry of readdirSync(path)) {
    const file = pickFile(join(path, entry), better)
    if (file !== undefined && (found === undefined || better(file.time, found.time))) found = file
  }
  return found
}

/**
 * A tarball of an old build would pass or fail for the wrong reasons, so every file in dist/ must be newer
 * than every source file and the tsup config. A file left in dist/ by an earlier build also fails this:
 * turbo restores a cached build over dist/ without deleting what is no longer part of it, and `files`
 * would publish it.
 */
function staleBuild(dir) {
  const built = pickFile(join(dir, "dist"), (a, b) => a < b)
  if (built === undefined) return "dist/ is missing: run `pnpm build` first"
  const newer = (a, b) => a > b
  const source = [pickFile(join(dir, "src"), newer), pickFile(join(dir, "tsup.config.ts"), newer)]
    .filter((file) => file !== undefined)
    .reduce((a, b) => (b.time > a.time ? b : a), { path: "", time: 0 })
  if (source.time <= built.time) return undefined
  return (
    `${relative(dir, built.path)} is older than ${relative(dir, source.path)}: run \`pnpm build\`, or ` +
    "`pnpm build --force` if dist/ holds files from an earlier build"
  )
}

async function pack(dir, destination) {
  const { stdout } = await promisify(execFile)("pnpm", ["pack", "--pack-destination", destination, "--json"], { cwd: dir })
  return JSON.parse(stdout).filename
}

/**
 * Resolution problems that are not ours to fix. node10 (TypeScript's `moduleResolution: "node"`, deprecated
 * in TypeScript 6) ignores `exports`: it finds the root entry through `main` and `types`, but a subpath
 * (`@zmq-ts/core/v5-compat`) only through a folder or `typesVersions` per subpath. Every package needs
 * Node ≥ 20, whose users resolve with node16/nodenext or bundler, so node10 is checked for "." only.
 */
function ignored(problem) {
  return problem.resolutionKind === "node10" && problem.entrypoint !== "."
}

function describeAttw(name, problem) {
  const info = problemKindInfo[problem.kind]
  // attw places the package at /node_modules/<name>/; the path inside the package is what to look for.
  const file = (path) => path.replace(`/node_modules/${name}/`, "")
  const where =
    "entrypoint" in problem
      ? `${problem.entrypoint === "." ? name : `${name}/${problem.entrypoint.replace(/^\.\//, "")}`} (${problem.resolutionKind})`
      : "typesFileName" in problem
        ? `${file(problem.typesFileName)} with ${file(problem.implementationFileName)}`
        : `${file(problem.fileName)}${"moduleSpecifier" in problem ? ` importing "${problem.moduleSpecifier}"` : ""}`
  const missing = problem.kind === "NamedExports" && problem.missing.length > 0 ? ` (${problem.missing.join(", ")})` : ""
  return `attw: ${where}: ${info.emoji} ${info.title}${missing}. ${info.description} See ${info.docsUrl}`
}

async function check(packed) {
  const bytes = readFileSync(await packed)
  const problems = []

  // strict: warnings count as errors; suggestions are reported and fail too, so the packages stay clean.
  // publint does not look for the files the "@zmq-ts/source" condition names (./src/*.ts, not published):
  // it skips file checks under conditions it does not know, since those are for a project's own tools.
  const linted = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, strict: true })
  for (const message of linted.messages) {
    problems.push(`publint ${message.type}: ${formatMessage(message, linted.pkg, { color: false }) ?? message.code}`)
  }

  // attw resolves each subpath with TypeScript's conditions (types, import, require, node, default), so the
  // "@zmq-ts/source" condition, which no TypeScript setting of a consumer names, never takes part.
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(bytes)))
  if (analysis.types === false) {
    problems.push("attw: the package has no types")
  } else {
    for (const problem of analysis.problems) if (!ignored(problem)) problems.push(describeAttw(analysis.packageName, problem))
    const entrypoints = Object.keys(analysis.entrypoints).join(", ")
    if (problems.length === 0) console.log(`  ${linted.pkg.name}: publint and attw clean (entry points: ${entrypoints})`)
  }
  return problems.map((problem) => `${linted.pkg.name}: ${problem}`)
}

const dirs = packageDirs()
const problems = dirs.flatMap((dir) => {
  const stale = staleBuild(dir)
  return stale === undefined ? [] : [`${relative(root, dir)}: ${stale}`]
})
if (problems.length === 0) {
  const destination = mkdtempSync(join(tmpdir(), "zmq-ts-pack-"))
  try {
    // Every `pnpm pack` starts at once (each is mostly pnpm's start-up); the checks then take the tarballs
    // in order, one at a time, as they are CPU-bound.
    const tarballs = dirs.map((dir) => pack(dir, destination))
    for (const tarball of tarballs) tarball.catch(() => {}) // awaited below, in order
    for (const tarball of tarballs) problems.push(...(await check(tarball)))
  } finally {
    rmSync(destination, { recursive: true, force: true })
  }
}

if (problems.length > 0) {
  console.error(`package check failed:\n  ${problems.join("\n  ")}`)
  console.error("For attw's full table: pnpm exec attw --pack <package folder>")
  process.exit(1)
}
console.log(`package check passed (${((performance.now() - started) / 1000).toFixed(1)} s)`)
