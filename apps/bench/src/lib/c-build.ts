/**
 * The libzmq C baseline: our small C tools (apps/bench/c), compiled at run time with the system's compiler
 * against the system's libzmq (Debian: libzmq3-dev). When either is missing the C row is skipped, politely.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const C_TOOLS = [
  "local_thr",
  "remote_thr",
  "local_thr_router",
  "remote_thr_dealer",
  "local_lat",
  "remote_lat",
  "local_lat_router",
  "remote_lat_dealer",
  "local_lat_pubsub",
  "remote_lat_pubsub",
  "local_sub",
  "remote_pub",
  "handshake_server",
  "handshake_client",
  "scale_router",
  "scale_clients",
  "version",
] as const
export type CTool = (typeof C_TOOLS)[number]

export interface CBuild {
  readonly directory: string
  readonly libzmqVersion: string
  path(tool: CTool): string
  remove(): void
}

/**
 * Tools built from another tool's source with another socket type (the same loop, another pattern); a ROUTER
 * also reads (and, echoing, sends back) the routing id in front of each message.
 */
const VARIANTS: Partial<Record<CTool, { readonly source: CTool; readonly socketType: string; readonly routingId?: boolean }>> = {
  remote_thr_dealer: { source: "remote_thr", socketType: "ZMQ_DEALER" },
  remote_lat_dealer: { source: "remote_lat", socketType: "ZMQ_DEALER" },
  local_thr_router: { source: "local_thr", socketType: "ZMQ_ROUTER", routingId: true },
  local_lat_router: { source: "local_lat", socketType: "ZMQ_ROUTER", routingId: true },
}

export const C_SKIPPED_MESSAGE = "libzmq C: skipped (install libzmq3-dev and a C compiler)"

/** Compiles every tool into a fresh temporary directory; undefined (and why) when that is not possible. */
export function buildCTools(sourceDirectory: string): { build: CBuild } | { reason: string } {
  const compiler = process.env["CC"] ?? "cc"
  const directory = mkdtempSync(join(tmpdir(), "zmq-ts-bench-c-"))
  const remove = (): void => rmSync(directory, { recursive: true, force: true })
  for (const tool of C_TOOLS) {
    const variant = VARIANTS[tool]
    const source = variant?.source ?? tool
    const defines =
      variant === undefined ? [] : [`-DSOCKET_TYPE=${variant.socketType}`, `-DTOOL_NAME="${tool}"`, ...(variant.routingId === true ? ["-DROUTING_ID"] : [])]
    const result = spawnSync(compiler, ["-O2", ...defines, "-o", join(directory, tool), join(sourceDirectory, `${source}.c`), "-lzmq"], {
      encoding: "utf8",
    })
    if (result.error !== undefined || result.status !== 0) {
      remove()
      const why =
        result.error !== undefined
          ? result.error.message
          : (result.stderr.split("\n").find((line) => /error/.test(line)) ?? `exited with status ${result.status}`)
      return { reason: `${compiler} ${source}.c: ${why.trim()}` }
    }
  }
  const version = spawnSync(join(directory, "version"), [], { encoding: "utf8" })
  return {
    build: {
      directory,
      libzmqVersion: version.stdout.trim() || "unknown",
      path: (tool) => join(directory, tool),
      remove,
    },
  }
}
