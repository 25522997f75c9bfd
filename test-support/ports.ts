/**
 * Tcp ports for tests that must name a port before anything binds it (a peer that connects first, a child
 * process told where to listen, a port known to be refused).
 *
 * "Listen on 0, read the port, close" hands out a port from the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 here), and until the test binds it that port is free
 * for anyone: another test's `:*` bind, the source port of any outgoing connection, or even the test's own
 * connect to it (TCP simultaneous open). So tests take their ports from a range the kernel never hands
 * out, TEST_PORTS, cut into one slice per vitest worker so that two test files running at once never get
 * the same port. A port is probed (listen, close) before it is handed out.
 */
import { createServer } from "node:net"

/** The project's test ports: below the ephemeral range, above the well-known and the Guide's (555x). */
export const TEST_PORTS = { first: 20_000, last: 31_999 } as const

const SLICES = 24
const SLICE_SIZE = Math.floor((TEST_PORTS.last - TEST_PORTS.first + 1) / SLICES)

/** This process's slice: vitest's worker id (1…), else the pid (a plain runner has no neighbours of ours). */
function sliceIndex(): number {
  const pool = Number(process.env["VITEST_POOL_ID"] ?? process.env["VITEST_WORKER_ID"])
  return (Number.isInteger(pool) && pool > 0 ? pool - 1 : process.pid) % SLICES
}

const sliceStart = TEST_PORTS.first + sliceIndex() * SLICE_SIZE
/** Where this process starts in its slice: a later file in the same worker begins elsewhere. */
let next = Math.floor(Math.random() * SLICE_SIZE)

async function isFree(port: number, host: string): Promise<boolean> {
  const server = createServer()
  return await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** A tcp port of this worker's slice that is free now and that no other test process is handed. */
export async function testPort(host = "127.0.0.1"): Promise<number> {
  for (let tried = 0; tried < SLICE_SIZE; tried++) {
    const port = sliceStart + (next++ % SLICE_SIZE)
    if (await isFree(port, host)) return port
  }
  throw new Error(`no free test port in ${sliceStart}–${sliceStart + SLICE_SIZE - 1}`)
}

/** `count` distinct test ports. */
export async function testPorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports: number[] = []
  for (let i = 0; i < count; i++) ports.push(await testPort(host))
  return ports
}
