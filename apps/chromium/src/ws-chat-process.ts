/**
 * `pnpm example ws-chat 0` exactly as a reader starts it (from the repository root, ports picked by the
 * OS), in its own process group so pnpm and the node it starts are both ended, by that group's id, after
 * the test.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterThisTest } from "./cleanup.js"

const ROOT = fileURLToPath(new URL("../../..", import.meta.url))

export interface WsChat {
  /** The URL it printed ("Open http://localhost:PORT/ …"). */
  readonly url: string
  /** Ctrl-C, as a reader stops it: SIGINT to its process group. */
  interrupt(): void
}

/** Starts the example and resolves once it printed the URL to open. */
export function startWsChat(): Promise<WsChat> {
  const child = spawn("pnpm", ["--silent", "example", "ws-chat", "0"], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  // The whole group: pnpm may be gone while the node it started still runs (ESRCH when both are gone).
  afterThisTest(() => process.kill(-child.pid!, "SIGKILL"))
  let stdout = ""
  let stderr = ""
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws-chat printed no URL within 20 s; stdout ${stdout}, stderr ${stderr}`)), 20_000)
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^Open (http:\/\/localhost:\d+\/) /m.exec(stdout)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ url: match[1]!, interrupt: () => process.kill(-child.pid!, "SIGINT") })
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`ws-chat exited ${code}: ${stderr}`))
    })
  })
}
