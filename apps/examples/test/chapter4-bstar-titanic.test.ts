/**
 * The Guide's chapter 4 Binary Star and Titanic examples end to end, each its own process as `pnpm example
 * <name>` runs it: bstarsrv / bstarsrv2 -p and -b with bstarcli (tcp://localhost:5001–5004), failing over
 * when the primary is killed; mdbroker + titanic + ticlient + mdworker on tcp://localhost:5555, with Titanic
 * killed and restarted in the middle. ZMQ_TS_EXAMPLE_SPEED=10 makes heartbeats and timeouts ten times shorter.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"

process.env.ZMQ_TS_EXAMPLE_SPEED = "10"
import { startExample, stopAll, type RunningExample } from "./helpers/spawn-example.js"

const directories: string[] = []
afterEach(async () => {
  await stopAll()
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function stderrMatches(program: RunningExample, pattern: RegExp, timeout = 15_000): Promise<void> {
  const started = Date.now()
  while (!pattern.test(program.stderr())) {
    if (Date.now() - started > timeout) throw new Error(`${program.name}: ${pattern} not on stderr: ${program.stderr().slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("chapter 4: Binary Star", () => {
  it.each(["bstarsrv", "bstarsrv2"])("%s -p / -b with bstarcli: the primary serves, is killed, and the client's vote fails over to the backup", async (server) => {
    const primary = startExample(server, ["-p"])
    const backup = startExample(server, ["-b"])
    await primary.waitFor(/^I: Primary active, waiting for backup \(passive\)$/)
    await backup.waitFor(/^I: Backup passive, waiting for primary \(active\)$/)
    await primary.waitFor(/I: connected to backup \(passive\), ready as active$/, 15_000)
    await backup.waitFor(/I: connected to primary \(active\), ready as passive$/, 15_000)
    const client = startExample("bstarcli")
    await client.waitFor(/^I: connecting to server at tcp:\/\/localhost:5001\.\.\.$/)
    await client.waitForCount(/^I: server replied OK \(\d+\)$/, 3, 15_000)
    primary.signal("SIGKILL")
    await client.waitFor(/^W: no response from server, failing over$/, 15_000)
    await client.waitFor(/^I: connecting to server at tcp:\/\/localhost:5002\.\.\.$/)
    await backup.waitFor(/I: failover successful, ready as active$/, 15_000)
    const after = client.lines.indexOf("W: no response from server, failing over")
    await client.waitForCount(/^I: server replied OK \(\d+\)$/, 6, 15_000)
    // The sequence goes on without a gap: the request that timed out was answered by the backup.
    const numbers = client.lines.flatMap((line) => /^I: server replied OK \((\d+)\)$/.exec(line)?.[1] ?? []).map(Number)
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
    expect(client.lines.slice(after + 2).some((line) => /^I: server replied OK/.test(line))).toBe(true)
  }, 40_000)
})

describe("chapter 4: Titanic", () => {
  it("mdbroker + titanic + ticlient, then mdworker: 'Reply: Hello world', with Titanic killed and restarted after it took the request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "titanic-example-"))
    directories.push(dir)
    process.env.ZMQ_TS_TITANIC_DIR = join(dir, ".titanic")
    try {
      const broker = startExample("mdbroker", ["-v"])
      await stderrMatches(broker, /is active at tcp:\/\/\*:5555/)
      let titanic = startExample("titanic")
      const client = startExample("ticlient")
      const uuid = /^I: request UUID \[032\] ([0-9A-F]{32})$/.exec(await client.waitFor(/^I: request UUID/, 20_000))![1]!
      await client.waitFor(/^I: no reply yet, trying again\.\.\.$/, 10_000)
      expect(readdirSync(join(dir, ".titanic"))).toContain(`${uuid}.req`)
      // Titanic dies with the request on disk and no echo service yet; a new one picks it up.
      titanic.signal("SIGKILL")
      await titanic.exited()
      titanic = startExample("titanic", ["-v"])
      startExample("mdworker")
      await titanic.waitFor(new RegExp(`^I: processing request ${uuid}$`), 20_000)
      await client.waitFor(/^Reply: Hello world$/, 20_000)
      expect(await client.exited(10_000)).toBe(0)
      // titanic.close removed both files.
      expect(readdirSync(join(dir, ".titanic"))).toEqual([])
    } finally {
      delete process.env.ZMQ_TS_TITANIC_DIR
    }
  }, 60_000)
})
