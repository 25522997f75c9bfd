/**
 * Mixed Binary Star pairs: one server is ours (`BinaryStar`), the other a libzmq one (test/peers/bstarsrv.py,
 * python3-zmq, written from the chapter's FSM), in both arrangements:
 *
 *   failover client (our REQ) ──▶ primary (ours | python)  ═ PUB/SUB state, "1".."4" ═  backup (python | ours)
 *
 * As the Guide's run shows: the pair settles (primary active, backup passive), the client is served by the
 * primary; the primary is killed; the client's next request, after the failover timeout, is served by the
 * backup, which reports "failover successful".
 */
import { Context, Poller, Request } from "@zmq-ts/core"
import { afterEach, describe, expect, it } from "vitest"
import { BinaryStar, BinaryStarState, type BinaryStarEventReport } from "../../src/index.js"
import { fixedAddress, sleep, within } from "../helpers/endpoints.js"
import { hasPythonZmq, startPythonPeer, stopPythonPeers } from "../helpers/python-peer.js"

const HEARTBEAT = 100
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  await stopPythonPeers()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** bstarcli's loop: one request, and on timeout a new socket to the other server. Returns who answered. */
async function request(context: Context, servers: readonly string[], state: { socket?: Request; server: number; sequence: number }): Promise<string> {
  const open = (): Request => {
    const socket = new Request({ context, linger: 0 })
    socket.connect(servers[state.server]!)
    return socket
  }
  state.socket ??= open()
  const body = String(++state.sequence)
  await state.socket.send(body)
  for (let attempt = 0; attempt < 8; attempt++) {
    if ((await new Poller().add(state.socket).poll(HEARTBEAT * 5)).length > 0) {
      const [reply, from] = await state.socket.receive()
      expect(reply!.toString()).toBe(body)
      return from!.toString()
    }
    state.socket.close()
    state.server = (state.server + 1) % servers.length
    await sleep(HEARTBEAT * 3)
    state.socket = open()
    await state.socket.send(body)
  }
  throw new Error("no server answered")
}

describe.skipIf(!hasPythonZmq)("Binary Star: ours and libzmq's in one pair", () => {
  it.each([
    ["ours", "python"],
    ["python", "ours"],
  ] as const)("primary %s, backup %s: settle, serve, kill the primary, the backup takes over on the client's vote", async (primaryKind, backupKind) => {
    const context = new Context()
    cleanups.push(() => context.terminate())
    const [pPub, bPub, pFront, bFront] = [await fixedAddress("tcp", "b"), await fixedAddress("tcp", "b"), await fixedAddress("tcp", "b"), await fixedAddress("tcp", "b")]
    const events: BinaryStarEventReport[] = []
    let ours: BinaryStar | undefined
    const start = async (kind: "ours" | "python", primary: boolean) => {
      const [front, pub, sub] = primary ? [pFront, pPub, bPub] : [bFront, bPub, pPub]
      const name = primary ? "primary" : "backup"
      if (kind === "python") return startPythonPeer("bstarsrv", [primary ? "primary" : "backup", front, pub, sub, String(HEARTBEAT), name])
      ours = new BinaryStar({ primary, local: pub, remote: sub, heartbeat: HEARTBEAT, context, onEvent: (e) => events.push(e) })
      ours.voter(front, "router", (message, socket) => socket.send([...message, name]))
      await ours.start()
      cleanups.push(() => ours!.stop().catch(() => {}))
      return undefined
    }
    const primaryPeer = await start(primaryKind, true)
    const backupPeer = await start(backupKind, false)
    const python = (primaryPeer ?? backupPeer)!
    // The pair settles: python's side reports its state, ours is read directly.
    await python.waitFor(primaryKind === "python" ? /^STATE ACTIVE$/ : /^STATE PASSIVE$/)
    await within((async () => { while (ours!.serverState !== (primaryKind === "ours" ? BinaryStarState.ACTIVE : BinaryStarState.PASSIVE)) await sleep(10) })(), 5000, "ours settled")

    const client = { server: 0, sequence: 0 } as { socket?: Request; server: number; sequence: number }
    cleanups.push(() => client.socket?.close())
    for (let i = 0; i < 3; i++) expect(await request(context, [pFront, bFront], client)).toBe("primary")

    // The primary dies.
    if (primaryKind === "python") {
      python.kill("SIGKILL")
      await python.exited()
    } else await ours!.stop()
    await sleep(HEARTBEAT * 4)
    // Silence alone changes nothing: the backup is still passive until the client votes.
    if (backupKind === "python") expect(python.lines.filter((l) => l.startsWith("STATE")).at(-1)).toBe("STATE PASSIVE")
    else expect(ours!.serverState).toBe(BinaryStarState.PASSIVE)
    expect(await request(context, [pFront, bFront], client)).toBe("backup")
    for (let i = 0; i < 2; i++) expect(await request(context, [pFront, bFront], client)).toBe("backup")
    if (backupKind === "python") await python.waitFor(/^STATE ACTIVE$/)
    else expect(events.find((e) => e.type === "state" && e.state === BinaryStarState.ACTIVE)).toMatchObject({ message: "I: failover successful, ready as active" })
    expect(python.lines.some((l) => l.startsWith("FATAL"))).toBe(false)
  }, 30_000)
})
