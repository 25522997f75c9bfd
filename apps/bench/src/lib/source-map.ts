/**
 * Maps positions in code tsx compiled (minified, mostly one line per file) back to the TypeScript source, using the
 * compiled files tsx keeps in its cache (`<tmpdir>/tsx-<uid>/`, JSON with `code` and `map`). CPU profiles
 * of `--import tsx` runs only know the compiled positions. Best effort: without the cache, nothing maps.
 */
import { readdirSync, readFileSync } from "node:fs"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"

interface CacheEntry {
  readonly code: string
  readonly mappings: string
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

let cache: Map<string, CacheEntry[]> | undefined

function loadCache(): Map<string, CacheEntry[]> {
  if (cache !== undefined) return cache
  cache = new Map()
  const directory = join(tmpdir(), `tsx-${userInfo().uid}`)
  let names: string[]
  try {
    names = readdirSync(directory)
  } catch {
    return cache
  }
  for (const name of names) {
    try {
      const entry = JSON.parse(readFileSync(join(directory, name), "utf8")) as { code?: string; map?: { sources?: string[]; mappings?: string } }
      const source = entry.map?.sources?.[0]
      if (entry.code === undefined || source === undefined || entry.map?.mappings === undefined) continue
      const list = cache.get(source) ?? []
      list.push({ code: entry.code, mappings: entry.map.mappings })
      cache.set(source, list)
    } catch {
      // not one of tsx's JSON entries
    }
  }
  return cache
}

/**
 * A resolver for one source file, given the frames a profile has in it (name and compiled position).
 * Several compiled versions of a file may be cached (it changed, or was compiled for both ESM and CJS); the
 * one where the most named functions sit at their profiled positions is used. Lines are 0-based in, 1-based
 * out.
 */
export function sourceResolver(
  path: string,
  frames: ReadonlyArray<{ name: string; line: number; column: number }>,
): ((line: number, column: number) => number | undefined) | undefined {
  const entries = loadCache().get(path)
  if (entries === undefined) return undefined
  let best: CacheEntry | undefined
  let bestScore = 0
  for (const entry of entries) {
    const lines = entry.code.split("\n")
    let score = 0
    for (const frame of frames) {
      if (frame.name === "" || frame.name === "(anonymous)") continue
      const name = frame.name.replace(/^(get|set) /, "")
      // V8 puts a function at its parameter list or its body, just after the name.
      const around = (lines[frame.line] ?? "").slice(Math.max(0, frame.column - name.length - 2), frame.column + name.length + 16)
      if (around.includes(name)) score++
    }
    if (score > bestScore) {
      best = entry
      bestScore = score
    }
  }
  if (best === undefined) return undefined
  originalLine = 0
  const generatedLines = best.mappings.split(";").map(decodeLine)
  return (line, column) => {
    const segments = generatedLines[line] ?? []
    // The last segment starting at or before the column.
    let low = 0
    let high = segments.length - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (segments[middle]![0] <= column) {
        found = middle
        low = middle + 1
      } else high = middle - 1
    }
    return found < 0 ? undefined : segments[found]![1] + 1
  }
}

/** The segments of one generated line: [generated column, original line (0-based)]. */
let originalLine = 0
function decodeLine(line: string): Array<[number, number]> {
  // Source map fields are deltas; the original line carries over from line to line (reset per map below).
  const out: Array<[number, number]> = []
  let column = 0
  for (const segment of line.split(",")) {
    if (segment === "") continue
    const fields = decodeVlq(segment)
    column += fields[0] ?? 0
    if (fields.length >= 4) {
      originalLine += fields[2]!
      out.push([column, originalLine])
    }
  }
  return out
}

function decodeVlq(text: string): number[] {
  const values: number[] = []
  let value = 0
  let shift = 0
  for (const char of text) {
    const digit = BASE64.indexOf(char)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return values
}
