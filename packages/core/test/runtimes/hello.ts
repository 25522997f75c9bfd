/**
 * The Guide's Hello World as a user runs it on this runtime: apps/examples' chapter 1 hwserver and hwclient,
 * each its own process on the same runtime (`bun file.ts`, `deno run … file.ts`), REQ/REP over
 * tcp://localhost:5555 (the Guide's fixed port). The client's ten round trips end with "Received World 9"
 * and exit 0; the server then leaves on SIGINT (s_catch_signals) with exit 0.
 */
import { fileURLToPath } from "node:url"
import { check, equal, exitOf, linesOf, spawnOnRuntime, test, within } from "./harness.ts"

const example = (name: string): string => fileURLToPath(new URL(`../../../../apps/examples/src/chapter1/${name}.ts`, import.meta.url))

test("the Guide's Hello World: hwserver and hwclient as two processes on this runtime", async (scope) => {
  // The examples' "work" is 1 s per request; 100× faster keeps the ten round trips short.
  const env = { ZMQ_TS_EXAMPLE_SPEED: "100" }
  const server = spawnOnRuntime(example("hwserver"), env)
  scope.defer(() => server.kill("SIGKILL"))
  const serverLines = linesOf(server, "hwserver")
  const client = spawnOnRuntime(example("hwclient"), env)
  scope.defer(() => client.kill("SIGKILL"))
  const clientLines = linesOf(client, "hwclient")
  const clientExit = exitOf(client)
  await clientLines.next("Received World 9", 20_000)
  equal(await within(clientExit, 5000, "hwclient to exit"), 0, `hwclient's exit code (stderr ${clientLines.stderr()})`)
  await serverLines.next("Received Hello")
  const serverExit = exitOf(server)
  // process.kill, not server.kill: after ChildProcess.kill(signal), Deno 2.9's node:child_process reports that
  // signal as the exit cause even when the child handled it and exited 0 (Deno.Command reports code 0).
  check(server.pid !== undefined && process.kill(server.pid, "SIGINT"), "SIGINT delivered to hwserver")
  equal(await within(serverExit, 5000, "hwserver to exit on SIGINT"), 0, `hwserver's exit code (stderr ${serverLines.stderr()})`)
}, 30_000)
