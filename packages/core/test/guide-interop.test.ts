/**
 * The Guide's Hello World (chapter 1, hwserver/hwclient) with one side ours and the other real libzmq
 * (4.3.5, through zeromq.js):
 *
 *   hwclient (REQ) ──connect tcp://localhost:port──▶ hwserver (REP, bound to 127.0.0.1:port)
 *            "Hello" ×10 ──▶            ◀── "World" each time
 *
 * Our REP runs the hwserver logic for a libzmq REQ client, and a libzmq REP runs it for our REQ client; each
 * with the server started first and with the client started first ("try starting the client and then
 * starting the server, see how it all still works"). The Guide's server sleeps a second per request to
 * "do some work"; that is left out here.
 */
import { afterEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Reply, Request, type Socket } from "../src/index.js"
import { freePort } from "./helpers/transports.js"

const REQUESTS = 10
const TIMEOUT = 5000

/** What hwserver and hwclient need of a socket; ours and zeromq.js's both have it. */
interface HelloSocket extends AsyncIterable<Buffer[]> {
  send(message: string): Promise<void>
  receive(): Promise<Buffer[]>
  bind(address: string): Promise<void>
  connect(address: string): void
  close(): void
}

// ── the Guide's two programs ───────────────────────────────────────────────────────────────────────

/** hwserver: expects "Hello" from the client, replies "World"; runs until its socket is closed. */
async function hwserver(socket: HelloSocket, received: string[]): Promise<void> {
  try {
    for await (const request of socket) {
      received.push(request.map((frame) => frame.toString("utf8")).join("|"))
      await socket.send("World")
    }
  } catch {
    // the socket was closed while waiting (zeromq.js rejects the pending receive)
  }
}

/** hwclient: sends "Hello" ten times, waiting each time for the reply. */
async function hwclient(socket: HelloSocket): Promise<string[]> {
  const replies: string[] = []
  for (let request = 0; request < REQUESTS; request++) {
    await socket.send("Hello")
    const reply = await socket.receive()
    replies.push(reply.map((frame) => frame.toString("utf8")).join("|"))
  }
  return replies
}

// ── sockets and addresses ──────────────────────────────────────────────────────────────────────────

type Library = "ours" | "libzmq"

const cleanups: Array<() => void> = []

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup()
    } catch {
      // already closed
    }
  }
})

function socket(library: Library, type: "REQ" | "REP", options: Record<string, unknown> = {}): HelloSocket {
  const all = { receiveTimeout: TIMEOUT, sendTimeout: TIMEOUT, ...options }
  let created: HelloSocket
  if (library === "ours") created = (type === "REQ" ? new Request(all) : new Reply(all)) as unknown as HelloSocket
  else {
    const theirs = { ...all, linger: 0 }
    created = (type === "REQ" ? new zmq.Request(theirs) : new zmq.Reply(theirs)) as unknown as HelloSocket
  }
  cleanups.push(() => created.close())
  return created
}

/** Resolves at the client's first `connect:retry`: it connected while nobody was listening. */
function firstRetry(client: HelloSocket, library: Library): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the client never retried its connection")), TIMEOUT)
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    if (library === "ours") (client as unknown as Socket).events.on("connect:retry", done)
    else (client as unknown as zmq.Socket).events.on("connect:retry", done)
  })
}

// ── tests ──────────────────────────────────────────────────────────────────────────────────────────

const CASES = [
  { server: "ours", client: "libzmq", order: "server first" },
  { server: "ours", client: "libzmq", order: "client first" },
  { server: "libzmq", client: "ours", order: "server first" },
  { server: "libzmq", client: "ours", order: "client first" },
] as const

describe("the Guide's Hello World across libraries", () => {
  it.each(CASES)("$server hwserver, $client hwclient, $order", async ({ server, client, order }) => {
    const port = await freePort()
    const requester = socket(client, "REQ", { reconnectInterval: 20 })
    const responder = socket(server, "REP")
    const received: string[] = []

    let replies: Promise<string[]>
    if (order === "server first") {
      await responder.bind(`tcp://127.0.0.1:${port}`)
      void hwserver(responder, received)
      requester.connect(`tcp://localhost:${port}`)
      replies = hwclient(requester)
    } else {
      const retried = firstRetry(requester, client)
      requester.connect(`tcp://localhost:${port}`)
      replies = hwclient(requester) // the first "Hello" waits in the REQ socket for the server
      await retried
      await responder.bind(`tcp://127.0.0.1:${port}`)
      void hwserver(responder, received)
    }

    expect(await replies).toEqual(Array.from({ length: REQUESTS }, () => "World"))
    expect(received).toEqual(Array.from({ length: REQUESTS }, () => "Hello"))
  })
})
