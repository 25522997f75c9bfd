// Shared by every package's tsup.config.ts.
/**
 * One build entry per subpath of package.json's `exports` that has a source: the file its "@zmq-ts/source"
 * condition names, built under the name of the files its `import` condition names (`./dist/v5-compat.js`
 * → "v5-compat"). A new subpath is then one edit, to the exports map; `pnpm lint` (publint, attw) checks
 * that every file the map names was built and typed.
 */
export function entriesFromExports(exports: Record<string, unknown>): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null || !("@zmq-ts/source" in target)) continue
    const source = target["@zmq-ts/source"]
    const esm = "import" in target && typeof target.import === "object" && target.import !== null && "default" in target.import ? target.import.default : undefined
    const name = typeof esm === "string" ? /^\.\/dist\/(.+)\.js$/.exec(esm)?.[1] : undefined
    if (typeof source !== "string" || name === undefined) {
      throw new Error(`package.json exports["${subpath}"]: expected "@zmq-ts/source" and import.default "./dist/<name>.js"`)
    }
    entries[name] = source
  }
  return entries
}

/**
 * The browser build's entries: each subpath of `exports` with a "browser" condition, built from the same
 * source under the name its browser file has (`./dist/browser/index.js` → "index"). Decision 0014.
 */
export function browserEntriesFromExports(exports: Record<string, unknown>): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null || !("browser" in target)) continue
    const source = "@zmq-ts/source" in target ? target["@zmq-ts/source"] : undefined
    const browser = target.browser
    const file = typeof browser === "object" && browser !== null && "default" in browser ? browser.default : undefined
    const name = typeof file === "string" ? /^\.\/dist\/browser\/(.+)\.js$/.exec(file)?.[1] : undefined
    if (typeof source !== "string" || name === undefined) {
      throw new Error(`package.json exports["${subpath}"]: expected "@zmq-ts/source" and browser.default "./dist/browser/<name>.js"`)
    }
    entries[name] = source
  }
  return entries
}
