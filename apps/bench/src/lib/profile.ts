/** Reads a V8 `.cpuprofile` and lists where the time went, by function, self and inclusive. */
import { readFileSync } from "node:fs"
import { sourceResolver } from "./source-map.js"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number }
  readonly children?: readonly number[]
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface HotSpot {
  readonly name: string
  readonly where: string
  readonly selfPercent: number
  readonly totalPercent: number
}

export function hotSpots(path: string, root: string): { spots: HotSpot[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile
  const self = new Map<number, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta)
    total += delta
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  // Files tsx compiled are one line: map their columns back to TypeScript lines where tsx's cache allows.
  const framesByFile = new Map<string, Array<{ name: string; line: number; column: number }>>()
  for (const node of profile.nodes) {
    const { url, lineNumber, columnNumber, functionName } = node.callFrame
    if (!url.startsWith("file://") || !url.endsWith(".ts")) continue
    const path = url.slice("file://".length)
    framesByFile.set(path, [...(framesByFile.get(path) ?? []), { name: functionName, line: lineNumber, column: columnNumber }])
  }
  const resolvers = new Map([...framesByFile].map(([path, frames]) => [path, sourceResolver(path, frames)]))
  const keyOf = (node: ProfileNode): string => {
    const frame = node.callFrame
    const path = frame.url.replace(/^file:\/\//, "")
    const url = path.replace(root, "")
    const resolve = resolvers.get(path)
    const line = resolve?.(frame.lineNumber, frame.columnNumber)
    // Unmapped: the compiled position (line:column), which DevTools shows too.
    const position = line !== undefined ? `:${line}` : `:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
    return `${frame.functionName || "(anonymous)"}\t${url === "" ? "" : `${url}${position}`}`
  }
  const selfByKey = new Map<string, number>()
  const totalByKey = new Map<string, number>()
  // Inclusive time: each function counted once per stack, however often it recurs in it.
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!
    const key = keyOf(node)
    const mine = self.get(id) ?? 0
    selfByKey.set(key, (selfByKey.get(key) ?? 0) + mine)
    const entered = !onStack.has(key)
    if (entered) onStack.add(key)
    let subtree = mine
    for (const child of node.children ?? []) subtree += walk(child, onStack)
    if (entered) {
      onStack.delete(key)
      totalByKey.set(key, (totalByKey.get(key) ?? 0) + subtree)
    }
    return subtree
  }
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []))
  for (const node of profile.nodes) if (!childIds.has(node.id)) walk(node.id, new Set())
  const spots = [...selfByKey].map(([key, time]) => {
    const [name, where] = key.split("\t") as [string, string]
    return { name, where, selfPercent: (time / total) * 100, totalPercent: ((totalByKey.get(key) ?? 0) / total) * 100 }
  })
  return { spots, totalMs: total / 1000 }
}
