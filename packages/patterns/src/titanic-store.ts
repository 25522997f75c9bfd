/**
 * Titanic's disk store (the Guide, chapter 4, "Disconnected Reliability"; RFC 9 TSP): one file per message,
 * as titanic.c — `<UUID>.req` for a request (frame 0 the service name, then the body), `<UUID>.rep` for its
 * reply — in a directory the caller chooses (the Guide's ".titanic").
 *
 * Crash safety, which titanic.c leaves to luck: every file is written to `<name>.tmp`, fsync-ed, renamed to
 * its name, and the directory fsync-ed, so at any moment (a SIGKILL, a power cut after the fsyncs) a file is
 * either absent or whole. A request is acknowledged ("200" + UUID) only after `storeRequest` resolved, so no
 * acknowledged request is lost; a reply is either stored whole or not at all (then the dispatcher sends the
 * request again). Leftover `.tmp` files were never acknowledged and are removed on `open()`.
 *
 * File format (ours; titanic.c used CZMQ's zmsg_save): "TSP1" magic, a u32 frame count, then per frame a
 * u32 length and the bytes (big-endian). A file that does not parse exactly is reported as corrupt.
 */
import { randomUUID } from "node:crypto"
import { constants, promises as fs } from "node:fs"
import { join } from "node:path"
import { localError, PatternErrorCode } from "./errors.js"

const MAGIC = Buffer.from("TSP1")
const REQUEST = ".req"
const REPLY = ".rep"
const TEMP = ".tmp"

/** RFC 9 "The titanic.request Service": 32 hexadecimal characters. */
const UUID_PATTERN = /^[0-9A-Fa-f]{32}$/

/** A new request UUID as titanic.c's s_generate_uuid makes them: 16 random bytes as 32 upper-case hex digits. */
export function generateTitanicUuid(): string {
  return randomUUID().replace(/-/g, "").toUpperCase()
}

/** True if `text` is a TSP UUID (32 hex characters). */
export function isTitanicUuid(text: string): boolean {
  return UUID_PATTERN.test(text)
}

/** @internal Encodes frames as a store file. */
export function encodeFrames(frames: readonly (Buffer | string)[]): Buffer {
  const parts: Buffer[] = [MAGIC, u32(frames.length)]
  for (const frame of frames) {
    const bytes = typeof frame === "string" ? Buffer.from(frame) : frame
    parts.push(u32(bytes.length), bytes)
  }
  return Buffer.concat(parts)
}

/** @internal Decodes a store file; undefined if it is not exactly one (truncated, or not ours). */
export function decodeFrames(data: Buffer): Buffer[] | undefined {
  if (data.length < 8 || !data.subarray(0, 4).equals(MAGIC)) return undefined
  const count = data.readUInt32BE(4)
  const frames: Buffer[] = []
  let at = 8
  for (let i = 0; i < count; i++) {
    if (at + 4 > data.length) return undefined
    const length = data.readUInt32BE(at)
    at += 4
    if (at + length > data.length) return undefined
    frames.push(Buffer.from(data.subarray(at, at + length)))
    at += length
  }
  return at === data.length ? frames : undefined
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

/** A pending request found on disk: a `.req` without a `.rep`, oldest first. */
export interface TitanicPending {
  readonly uuid: string
  /** When it was stored (the file's mtime, ms). */
  readonly storedAt: number
}

/**
 * The directory of requests and replies. All methods are async and safe to call concurrently for different
 * UUIDs (each file is replaced atomically).
 */
export class TitanicStore {
  readonly directory: string

  constructor(directory: string) {
    this.directory = directory
  }

  /** Creates the directory if needed and removes leftover temporary files of an interrupted write. */
  async open(): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true })
    for (const name of await fs.readdir(this.directory)) {
      if (name.endsWith(TEMP)) await fs.rm(join(this.directory, name), { force: true })
    }
  }

  /** Stores a request ([service, body…]) durably. Resolves once it would survive a crash. */
  async storeRequest(uuid: string, request: readonly (Buffer | string)[]): Promise<void> {
    await this.writeFile(this.#name(uuid, REQUEST), encodeFrames(request))
  }

  /** Stores a reply durably (whole or not at all). */
  async storeReply(uuid: string, reply: readonly (Buffer | string)[]): Promise<void> {
    await this.writeFile(this.#name(uuid, REPLY), encodeFrames(reply))
  }

  /** The stored request ([service, body…]), or undefined if there is none. Rejects if the file is corrupt. */
  async readRequest(uuid: string): Promise<Buffer[] | undefined> {
    return this.#read(this.#name(uuid, REQUEST))
  }

  /** The stored reply, or undefined if there is none yet. Rejects if the file is corrupt. */
  async readReply(uuid: string): Promise<Buffer[] | undefined> {
    return this.#read(this.#name(uuid, REPLY))
  }

  /** True if a request is stored for `uuid` (pending or answered). */
  async hasRequest(uuid: string): Promise<boolean> {
    return exists(join(this.directory, this.#name(uuid, REQUEST)))
  }

  /** True if a reply is stored for `uuid`. */
  async hasReply(uuid: string): Promise<boolean> {
    return exists(join(this.directory, this.#name(uuid, REPLY)))
  }

  /** Deletes the request and reply of `uuid` (titanic.close); nothing if there are none. */
  async remove(uuid: string): Promise<void> {
    await fs.rm(join(this.directory, this.#name(uuid, REQUEST)), { force: true })
    await fs.rm(join(this.directory, this.#name(uuid, REPLY)), { force: true })
    await this.#syncDirectory()
  }

  /** Requests with no reply yet, oldest first (the dispatcher's queue after a restart). */
  async pending(): Promise<TitanicPending[]> {
    const names = new Set(await fs.readdir(this.directory))
    const out: TitanicPending[] = []
    for (const name of names) {
      if (!name.endsWith(REQUEST)) continue
      const uuid = name.slice(0, -REQUEST.length)
      if (!isTitanicUuid(uuid) || names.has(uuid + REPLY)) continue
      try {
        out.push({ uuid, storedAt: (await fs.stat(join(this.directory, name))).mtimeMs })
      } catch {
        // closed meanwhile
      }
    }
    return out.sort((a, b) => a.storedAt - b.storedAt || a.uuid.localeCompare(b.uuid))
  }

  /** Every UUID with a request or a reply on disk. */
  async uuids(): Promise<string[]> {
    const found = new Set<string>()
    for (const name of await fs.readdir(this.directory)) {
      const uuid = name.replace(/\.(req|rep)$/, "")
      if (uuid !== name && isTitanicUuid(uuid)) found.add(uuid)
    }
    return [...found].sort()
  }

  /**
   * Writes `name` so that a crash at any moment leaves either the old state or the whole new file: a
   * temporary file, fsync, rename over the name, fsync of the directory (so the rename itself is durable).
   * Protected so a test can put a broken variant in its place.
   */
  protected async writeFile(name: string, data: Buffer): Promise<void> {
    const path = join(this.directory, name)
    const temp = path + TEMP
    const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644)
    try {
      // Written in pieces as they come (large bodies), then made durable before it gets its name.
      for (let at = 0; at < data.length; at += 65536) await handle.write(data, at, Math.min(65536, data.length - at))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(temp, path)
    await this.#syncDirectory()
  }

  async #syncDirectory(): Promise<void> {
    const handle = await fs.open(this.directory, constants.O_RDONLY)
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }

  async #read(name: string): Promise<Buffer[] | undefined> {
    let data: Buffer
    try {
      data = await fs.readFile(join(this.directory, name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw error
    }
    const frames = decodeFrames(data)
    if (frames === undefined) throw localError(PatternErrorCode.CORRUPT_STORE, `titanic store file ${name} is corrupt (${data.length} bytes)`)
    return frames
  }

  #name(uuid: string, suffix: string): string {
    if (!isTitanicUuid(uuid)) throw localError(PatternErrorCode.INVALID_OPTION, `not a titanic uuid: ${JSON.stringify(uuid)}`)
    return uuid.toUpperCase() + suffix
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path)
    return true
  } catch {
    return false
  }
}
