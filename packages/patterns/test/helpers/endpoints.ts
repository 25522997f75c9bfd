/**
 * Fresh addresses for the pattern tests: tcp on 127.0.0.1 with an ephemeral port (read back from the bound
 * socket), or a unique inproc name (inproc endpoints live in a Context; each test run makes its own).
 */
import { randomBytes } from "node:crypto"
import { setTimeout as delay } from "node:timers/promises"
import { testPort } from "../../../../test-support/ports.js"

export type TransportName = "tcp" | "inproc"

let counter = 0

/** An address to bind: `tcp://127.0.0.1:*` or `inproc://<unique>`. */
export function bindAddress(transport: TransportName, name: string): string {
  if (transport === "tcp") return "tcp://127.0.0.1:*"
  counter++
  return `inproc://${name}-${process.pid}-${counter}-${randomBytes(3).toString("hex")}`
}

/** Rejects with `label` after `ms`, unless `promise` settles first. */
export async function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms)
      }),
    ])
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

export const sleep = (ms: number): Promise<void> => delay(ms)

/**
 * An address known before anything binds it, for peers that connect first (the Guide starts its
 * subscribers before the publisher): a free port of the project's test range (never an ephemeral one: a
 * connect to it could be handed that very port as its source; test-support/ports.ts), or an inproc name.
 */
export async function fixedAddress(transport: TransportName, name: string): Promise<string> {
  if (transport === "inproc") return bindAddress("inproc", name)
  return `tcp://127.0.0.1:${await testPort()}`
}
