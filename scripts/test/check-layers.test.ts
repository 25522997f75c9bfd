/**
 * `pnpm lint`'s layer check (scripts/check-layers.mjs), run on small fixture trees: it must pass a tree
 * whose arrows point down, and reject a circle (type-only too), an import up the layers, and a folder
 * with no place in the table.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

const CHECK = fileURLToPath(new URL("../check-layers.mjs", import.meta.url))
const roots: string[] = []

/** A repository with one package, @zmq-ts/core, holding `files` (paths under its src/). */
function fixture(files: Record<string, string>, manifest: Record<string, unknown> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "zmqts-layers-"))
  roots.push(root)
  const pkg = join(root, "packages", "core")
  mkdirSync(join(pkg, "src"), { recursive: true })
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@zmq-ts/core", dependencies: { "@zmq-ts/zmtp": "workspace:*" }, ...manifest }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(pkg, "src", path)), { recursive: true })
    writeFileSync(join(pkg, "src", path), text)
  }
  return root
}

function check(root: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [CHECK, root], { encoding: "utf8" })
  return { status: run.status, output: run.stdout + run.stderr }
}

/** A tree in the shape of core's, every arrow pointing down. */
const layered = {
  "index.ts": 'export { Push } from "./sockets/push.js"\n',
  "sockets/push.ts": 'import { Socket } from "../socket/socket-base.js"\nexport class Push extends Socket {}\n',
  "socket/socket-base.ts":
    'import type { Pipe } from "../pipes/pipe.js"\nimport { lookup } from "../transports/registry.js"\nexport class Socket { pipe?: Pipe; find = lookup }\n',
  "transports/registry.ts": 'import { tcp } from "./tcp/tcp-transport.js"\nexport const lookup = (scheme: string) => (scheme === "tcp" ? tcp : undefined)\n',
  "transports/tcp/tcp-transport.ts": 'import type { Pipe } from "../../pipes/pipe.js"\nexport const tcp = { pipes: [] as Pipe[] }\n',
  "pipes/pipe.ts": 'import type { Message } from "./message.js"\nexport interface Pipe { read(): Message }\n',
  "pipes/message.ts": 'import { fail } from "../common/errors.js"\nexport type Message = Uint8Array[]\nexport const check = fail\n',
  "common/errors.ts": "export function fail(): never { throw new Error() }\n",
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe("layer check", () => {
  it("passes a tree whose imports point down the layers", () => {
    const { status, output } = check(fixture(layered))
    expect(output).toContain("layer check passed")
    expect(status).toBe(0)
  })

  /** Each case: what it changes in the layered tree, and what the check must say. */
  const rejected: Array<{ what: string; files: Record<string, string>; says: string | RegExp }> = [
    {
      what: "an import circle, naming its files, even when every import in it is type-only",
      files: { "pipes/message.ts": 'import type { Pipe } from "./pipe.js"\nexport type Message = Uint8Array[]\nexport type P = Pipe\n' },
      says: /import circle: pipes\/(pipe|message)\.ts → pipes\/(message|pipe)\.ts → pipes\/(pipe|message)\.ts/,
    },
    {
      what: "a circle through re-exports",
      files: {
        "common/errors.ts": 'export * from "./more.js"\nexport function fail(): never { throw new Error() }\n',
        "common/more.ts": 'export { fail as again } from "./errors.js"\n',
      },
      says: "import circle: common/",
    },
    {
      what: "an import up the layers (a pipe reaching for the socket base)",
      files: { "pipes/pipe.ts": 'import type { Socket } from "../socket/socket-base.js"\nexport interface Pipe { owner: Socket }\n' },
      says: "packages/core/src/pipes/pipe.ts: imports socket/socket-base.ts; pipes/ may import only common/",
    },
    {
      what: "an import between two folders of one rank (a socket type using the Poller)",
      files: {
        "tools/poller.ts": "export class Poller {}\n",
        "sockets/push.ts": 'import { Poller } from "../tools/poller.js"\nexport const poller = new Poller()\n',
      },
      says: "sockets/push.ts: imports tools/poller.ts; sockets/ may import only socket/, pipes/, common/",
    },
    {
      what: "a socket base that imports a transport by name instead of through the registry",
      files: { "socket/socket-base.ts": 'import { tcp } from "../transports/tcp/tcp-transport.js"\nexport class Socket { transport = tcp }\n' },
      says: "socket/socket-base.ts: imports transports/tcp/tcp-transport.ts; socket/ may import only context/, transports/registry.ts, transports/transport.ts, pipes/, common/",
    },
    {
      what: "a folder that has no row in the table",
      files: { "extras/thing.ts": "export const thing = 1\n" },
      says: "folder extras/ has no row in the folder table",
    },
  ]

  it.each(rejected)("rejects $what", ({ files, says }) => {
    const { status, output } = check(fixture({ ...layered, ...files }))
    expect(status).toBe(1)
    if (typeof says === "string") expect(output).toContain(says)
    else expect(output).toMatch(says)
  })

  describe("package.json subpath imports (#platform/*: a Node file and its browser twin)", () => {
    const imports = { imports: { "#platform/*": { browser: "./src/platform/*.browser.ts", default: "./src/platform/*.ts" } } }
    const seam = {
      "pipes/message.ts": 'import { Buffer } from "#platform/buffer"\nexport type Message = Buffer[]\n',
      "platform/buffer.ts": 'export { Buffer } from "node:buffer"\n',
      "platform/buffer.browser.ts": "export class Buffer extends Uint8Array {}\n",
    }

    it("passes when both files an import names point down", () => {
      const { status, output } = check(fixture({ ...layered, ...seam }, imports))
      expect(output).toContain("layer check passed")
      expect(status).toBe(0)
    })

    it("rejects a browser twin that imports up the layers: every condition's file is checked", () => {
      const { status, output } = check(
        fixture({ ...layered, ...seam, "platform/buffer.browser.ts": 'import { fail } from "../common/errors.js"\nexport class Buffer extends Uint8Array { f = fail }\n' }, imports),
      )
      expect(status).toBe(1)
      expect(output).toContain("platform/buffer.browser.ts: imports common/errors.ts; platform/ may import only nothing outside it")
    })

    it("rejects a # import the imports field does not map to a file", () => {
      const { status, output } = check(fixture({ ...layered, ...seam, "pipes/pipe.ts": 'import "#platform/missing"\nexport interface Pipe { read(): void }\n' }, imports))
      expect(status).toBe(1)
      expect(output).toContain('imports #platform/missing, which the package.json "imports" field does not map to a file')
    })
  })

  it("ignores imports that appear only in comments", () => {
    const root = fixture({
      ...layered,
      "pipes/pipe.ts":
        '// import { Socket } from "../socket/socket-base.js"\n/** import { Push } from "../sockets/push.js" */\nexport interface Pipe { read(): void }\n',
    })
    expect(check(root).status).toBe(0)
  })
})
