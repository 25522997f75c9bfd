/**
 * Where chapter 3's ipc endpoints live. The Guide writes them relative ("ipc://frontend.ipc",
 * "ipc://DC1-state.ipc"), so the socket files appear in the current directory — for `pnpm example`, that is
 * apps/examples — and the Guide's own programs started in the same directory meet ours there. A listener
 * removes its file when it closes, so a clean exit (the end of the run, or Ctrl-C) leaves nothing behind;
 * a bind replaces a stale file that a killed run left.
 *
 * ZMQ_TS_EXAMPLE_IPC_DIR=dir puts the files in `dir` instead (the tests use a temporary directory that they
 * remove, and start the Guide's Python programs with that directory as their cwd).
 */
import { join } from "node:path"

export function ipc(name: string): string {
  const dir = process.env.ZMQ_TS_EXAMPLE_IPC_DIR
  return `ipc://${dir === undefined || dir === "" ? name : join(dir, name)}`
}
