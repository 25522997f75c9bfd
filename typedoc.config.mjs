// TypeDoc: one API reference site for every publishable package, written by `pnpm run docs` to docs/api/
// (git-ignored). Each package is converted on its own ("packages" strategy) with its own tsconfig.json, so
// its module is named after the package and its README is the module's page. No entry point is listed
// here: for each package TypeDoc reads the `exports` map and maps every subpath's `types` file back to its
// source through the tsconfig's outDir/rootDir (dist/index.d.ts → src/index.ts), so a new subpath (core's
// `./v5-compat`, `./draft`) shows up as a module of its package with no change here, and no build is needed.
import { readFileSync, readdirSync, existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Converter, ReflectionKind } from "typedoc"

const packagesDir = new URL("./packages/", import.meta.url).pathname
const manifests = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  // Private packages are never published, so they are not part of the API.
  .filter(({ manifest }) => manifest.private !== true)

// Source links point at the repository every package's manifest names (TypeDoc would otherwise ask git for
// a remote, which a clone need not have, and warn that links are broken).
const repository = manifests
  .map(({ manifest }) => manifest.repository?.url)
  .find((url) => typeof url === "string")
  ?.replace(/^git\+/, "")
  .replace(/\.git$/, "")

const sourceLinks =
  repository === undefined ? { disableSources: true } : { sourceLinkTemplate: `${repository}/blob/{gitRevision}/{path}#L{line}` }
// The READMEs link to folders (`../core`, `src/sockets/`) for GitHub's file browser; a static site cannot
// serve a folder, so TypeDoc would warn about every such link. Links to files are still copied and checked.
const validation = { invalidPath: false }

/** @type {Partial<import("typedoc").TypeDocOptions>} */
const config = {
  name: "zmq-ts",
  // This file is also a plugin: see `load` below.
  plugin: [fileURLToPath(import.meta.url)],
  entryPointStrategy: "packages",
  entryPoints: manifests.map(({ dir }) => dir),
  out: "docs/api",
  readme: "README.md",
  validation,
  // Options for each package's own conversion (the root's are not inherited). A package's typedoc.json, if
  // it has one, adds what concerns that package alone.
  packageOptions: {
    ...sourceLinks,
    validation,
    // Members the sources mark @internal (Context.register, Context.transport, Socket's Poller hooks) are
    // plumbing between core's layers, not API.
    excludeInternal: true,
    // Protected members are the hooks core's own socket types implement (xattach, xsend, …); Socket's
    // constructor is protected, so no user subclasses it.
    excludeProtected: true,
  },
}

export default config

/**
 * Names the modules of a package with several entry points by what users import. TypeDoc names each after
 * its `exports` key less "./", which leaves the root entry with an empty name ("" beside "v5-compat");
 * this makes them "@zmq-ts/core" and "@zmq-ts/core/v5-compat". A package with one entry point has no such
 * modules, so nothing changes there.
 * @param {import("typedoc").Application} app
 */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      const { project } = context
      if (project.packageName === undefined) return
      for (const child of project.children ?? []) {
        if (!child.kindOf(ReflectionKind.Module)) continue
        child.name = child.name === "" ? project.packageName : `${project.packageName}/${child.name}`
      }
    },
    // After TypeDoc's own package plugin, which reads the package's name at the same event.
    -100,
  )
}
