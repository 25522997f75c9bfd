/**
 * The runtime suite: one file that runs unchanged on Bun and on Deno (and on Node through tsx) against the
 * built packages, as a user installs them. Run with `pnpm build` first, then `pnpm test:bun` / `pnpm test:deno`.
 * The last line is "<runtime>: N passed, N failed"; the exit code is 1 on any failure. Decision 0015.
 */
import { runAll } from "./harness.ts"
import "./pairs.ts"
import "./libzmq.ts"
import "./threads.ts"
import "./curve.ts"
import "./hello.ts"
import "./lifetime.ts"
import "./reconnect.ts"
import "./platform-websocket.ts"

await runAll()
