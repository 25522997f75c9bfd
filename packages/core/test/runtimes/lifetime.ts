/**
 * Process lifetime on the runtime under test, as zeromq.js v6 defines it: idle sockets do not keep the
 * process alive, an operation in progress does, and queued messages are delivered within linger before
 * the process exits. Each case runs a fixture from ./fixtures as its own process on this runtime: these
 * rest on the runtime's ref/unref of timers, servers and sockets and on its `beforeExit`.
 */
import { fileURLToPath } from "node:url"
import { Pull, Push } from "@zmq-ts/core"
import { equal, exitOf, linesOf, spawnOnRuntime, test, within, type Scope } from "./harness.ts"

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url))

function start(scope: Scope, name: string, env: Record<string, string> = {}) {
  const child = spawnOnRuntime(fixture(name), env)
  scope.defer(() => child.kill("SIGKILL"))
  return { child, lines: linesOf(child, name), exit: exitOf(child) }
}

test("lifetime: idle sockets (tcp bound, ws bound, tcp connected) let the process exit by itself", async (scope) => {
  const { lines, exit } = start(scope, "idle-sockets")
  await lines.next("ready")
  equal(await within(exit, 5000, "the process to exit with only idle sockets"), 0, `exit code (stderr ${lines.stderr()})`)
})

test("lifetime: a receive() in progress keeps the process alive until its message comes", async (scope) => {
  const { child, lines, exit } = start(scope, "pending-receive")
  const endpoint = (await lines.next("endpoint ")).slice("endpoint ".length)
  // Idle for a while on purpose: a process not held by its receive() would be gone long before this.
  await new Promise((resolve) => setTimeout(resolve, 300))
  equal(child.exitCode, null, "still running while it waits")
  const push = scope.track(new Push())
  push.connect(endpoint)
  await push.send("late")
  equal(await lines.next("got "), "got late", "the message it waited for")
  equal(await within(exit, 5000, "the process to exit after its receive"), 0, `exit code (stderr ${lines.stderr()})`)
})

test("lifetime: a message sent and closed before its peer exists is delivered, then the process exits", async (scope) => {
  // A port nobody listens on yet: bind, read it, close, and bind it again once the child has closed.
  const probe = new Pull()
  await probe.bind("tcp://127.0.0.1:*")
  const address = probe.lastEndpoint!
  probe.close()
  const { lines, exit } = start(scope, "linger-at-exit", { ADDRESS: address })
  await lines.next("closed")
  const pull = scope.track(new Pull())
  await pull.bind(address)
  equal(new TextDecoder().decode((await pull.receive())[0]), "hello", "the lingering message")
  equal(await within(exit, 5000, "the process to exit once delivered"), 0, `exit code (stderr ${lines.stderr()})`)
}, 15_000)
