/**
 * Unix socket paths in the temporary directory for one runner's ipc endpoints, each unique to the process,
 * all removed by `removeAll()` at the end (a tool that binds may leave its socket file behind).
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export class IpcPaths {
  readonly #prefix: string
  readonly #paths: string[] = []

  constructor(name: string) {
    this.#prefix = join(tmpdir(), `${name}-${process.pid}`)
  }

  /** A fresh path. */
  next(): string {
    const path = `${this.#prefix}-${this.#paths.length + 1}`
    this.#paths.push(path)
    return path
  }

  /** A path some tool derives from one of ours (pub-sub's SUBs bind `<prefix>-<i>`), to remove as well. */
  add(path: string): void {
    this.#paths.push(path)
  }

  removeAll(): void {
    for (const path of this.#paths) rmSync(path, { force: true })
  }
}
