/**
 * Titanic's disk store. The crash property is real: a child process writes requests and replies through the
 * store as fast as it can, printing "ACK <uuid>" once a request is stored (when Titanic would send "200") and
 * "REP <uuid>" once its reply is; it is SIGKILLed at a random moment, and the directory is then reopened.
 * Nothing acknowledged may be missing, and nothing on disk may be truncated. A store that writes files in
 * place (no temp file + rename) is shown to leave truncated files behind.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { generateTitanicUuid, isTitanicUuid, PatternErrorCode, TitanicStore } from "../src/index.js"
import { decodeFrames, encodeFrames } from "../src/titanic-store.js"

const directories: string[] = []
const tempDirectory = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "titanic-store-"))
  directories.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const STORE = fileURLToPath(new URL("../src/titanic-store.ts", import.meta.url))
const TSX = import.meta.resolve("tsx")

/** The child's workload. `inplace` swaps in the seeded mutant: files written straight to their names. */
const CHILD = `
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { TitanicStore } from ${JSON.stringify(STORE)}
class InPlace extends TitanicStore {
  async writeFile(name, data) {
    const handle = await fs.open(join(this.directory, name), "w")
    // In pieces, with a pause between them (as a busy disk would), so that a kill lands inside a write.
    for (let at = 0; at < data.length; at += 65536) {
      await handle.write(data, at, Math.min(65536, data.length - at))
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await handle.close()
  }
}
const [dir, variant, size] = process.argv.slice(-3)
const store = new (variant === "inplace" ? InPlace : TitanicStore)(dir)
await store.open()
for (let i = 0; ; i++) {
  const uuid = i.toString(16).toUpperCase().padStart(32, "0")
  const body = Buffer.alloc(Number(size), i % 251)
  await store.storeRequest(uuid, ["echo", body])
  console.log("ACK " + uuid)
  await store.storeReply(uuid, [body, "done"])
  console.log("REP " + uuid)
}
`

interface CrashRun {
  readonly acked: string[]
  readonly replied: string[]
}

async function runAndKill(dir: string, variant: "atomic" | "inplace", killAfterAcks: number, extraMs: number, size: number): Promise<CrashRun> {
  const child = spawn(process.execPath, ["--conditions=@zmq-ts/source", "--import", TSX, "--input-type=module", "-e", CHILD, "--", dir, variant, String(size)], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  const acked: string[] = []
  const replied: string[] = []
  let errors = ""
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()))
  let partial = ""
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child gave no ACKs: ${errors}`)), 15_000)
    child.stdout.on("data", (chunk: Buffer) => {
      partial += chunk.toString()
      const lines = partial.split("\n")
      partial = lines.pop()!
      for (const line of lines) {
        const [kind, uuid] = line.split(" ")
        if (kind === "ACK") acked.push(uuid!)
        if (kind === "REP") replied.push(uuid!)
      }
      if (acked.length >= killAfterAcks + 1) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once("exit", () => {
      clearTimeout(timer)
      reject(new Error(`child exited early: ${errors}`))
    })
  })
  await new Promise((resolve) => setTimeout(resolve, extraMs))
  child.kill("SIGKILL")
  await exited
  return { acked: [...acked], replied: [...replied] }
}

const sameFrames = (a: readonly Buffer[], b: readonly Buffer[]): boolean => a.length === b.length && a.every((frame, i) => frame.equals(b[i]!))
const expectedBody = (uuid: string, size: number): Buffer => Buffer.alloc(size, parseInt(uuid, 16) % 251)

async function checkAfterCrash(dir: string, run: CrashRun, size: number): Promise<void> {
  const store = new TitanicStore(dir)
  await store.open()
  // No temporary file survives open(); every file left parses, and holds what was written.
  expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
  for (const uuid of await store.uuids()) {
    // (Buffers compared with equals(): a diff of 300 kB buffers would take vitest minutes to print.)
    const request = await store.readRequest(uuid)
    if (request !== undefined) expect(sameFrames(request, [Buffer.from("echo"), expectedBody(uuid, size)]), `request ${uuid}`).toBe(true)
    const reply = await store.readReply(uuid)
    if (reply !== undefined) expect(sameFrames(reply, [expectedBody(uuid, size), Buffer.from("done")]), `reply ${uuid}`).toBe(true)
  }
  // Every acknowledged request is there; every reported reply too.
  for (const uuid of run.acked) expect(await store.hasRequest(uuid)).toBe(true)
  for (const uuid of run.replied) expect(await store.readReply(uuid)).toBeDefined()
  // Pending = acknowledged requests whose reply did not make it.
  const pending = new Set((await store.pending()).map((p) => p.uuid))
  for (const uuid of run.acked) expect(pending.has(uuid)).toBe(!(await store.hasReply(uuid)))
}

const crashCase = fc.record({ acks: fc.integer({ min: 0, max: 6 }), extraMs: fc.integer({ min: 0, max: 25 }) })
const SIZE = 300_000

describe("TitanicStore", () => {
  it("round-trips requests and replies, lists pending ones oldest first, removes on close", async () => {
    const store = new TitanicStore(join(tempDirectory(), "nested", ".titanic"))
    await store.open()
    const [a, b] = [generateTitanicUuid(), generateTitanicUuid()]
    expect(isTitanicUuid(a)).toBe(true)
    await store.storeRequest(a, ["echo", "Hello world"])
    await new Promise((resolve) => setTimeout(resolve, 5))
    await store.storeRequest(b, ["echo", Buffer.alloc(0), Buffer.from([0, 1, 2])])
    expect(await store.readRequest(a)).toEqual([Buffer.from("echo"), Buffer.from("Hello world")])
    expect(await store.readRequest(b)).toEqual([Buffer.from("echo"), Buffer.alloc(0), Buffer.from([0, 1, 2])])
    expect((await store.pending()).map((p) => p.uuid)).toEqual([a, b])
    await store.storeReply(a, ["Hello world"])
    expect((await store.pending()).map((p) => p.uuid)).toEqual([b])
    expect(await store.readReply(a.toLowerCase())).toEqual([Buffer.from("Hello world")])
    await store.remove(a)
    await store.remove(a) // idempotent
    expect(await store.uuids()).toEqual([b])
    await expect(store.readRequest("not-a-uuid")).rejects.toMatchObject({ code: PatternErrorCode.INVALID_OPTION })
  })

  it("reports a truncated file as ERR_PATTERN_CORRUPT_STORE, and drops leftover temporary files on open", async () => {
    const dir = tempDirectory()
    const store = new TitanicStore(dir)
    await store.open()
    const uuid = generateTitanicUuid()
    writeFileSync(join(dir, `${uuid}.req`), encodeFrames(["echo", "Hello"]).subarray(0, 10))
    writeFileSync(join(dir, `${generateTitanicUuid()}.req.tmp`), "partial")
    await expect(store.readRequest(uuid)).rejects.toMatchObject({ code: PatternErrorCode.CORRUPT_STORE })
    await new TitanicStore(dir).open()
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })

  it("decodes only what it encoded: any frames round-trip, and every proper prefix is rejected", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }), (frames) => {
        const encoded = encodeFrames(frames.map((f) => Buffer.from(f)))
        expect(decodeFrames(encoded)).toEqual(frames.map((f) => Buffer.from(f)))
        for (let cut = 0; cut < encoded.length; cut++) expect(decodeFrames(encoded.subarray(0, cut))).toBeUndefined()
      }),
      { numRuns: 200 },
    )
  })

  it("SIGKILL at a random moment during writes loses no acknowledged request and leaves no truncated file", async () => {
    await fc.assert(
      fc.asyncProperty(crashCase, async ({ acks, extraMs }) => {
        const dir = tempDirectory()
        const run = await runAndKill(dir, "atomic", acks, extraMs, SIZE)
        await checkAfterCrash(dir, run, SIZE)
        // And once more on the same directory: a restart after a crash, killed again.
        const again = await runAndKill(dir, "atomic", 1, extraMs, SIZE)
        await checkAfterCrash(dir, { acked: [...new Set([...run.acked, ...again.acked])], replied: [...run.replied, ...again.replied] }, SIZE)
      }),
      { numRuns: 3 },
    )
  }, 60_000)

  it("catches a seeded mutation: a store writing in place (no temp file + rename) leaves truncated files after a kill", async () => {
    const result = await fc.check(
      fc.asyncProperty(crashCase, async ({ acks, extraMs }) => {
        const dir = tempDirectory()
        const run = await runAndKill(dir, "inplace", acks, extraMs, SIZE)
        await checkAfterCrash(dir, run, SIZE)
      }),
      { numRuns: 20, endOnFailure: true },
    )
    expect(result.failed).toBe(true)
  }, 60_000)
})
