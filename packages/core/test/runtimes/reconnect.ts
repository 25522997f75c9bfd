/**
 * Monitor events and reconnect on the runtime under test (its timers and socket errors drive both), over
 * tcp and ws: the connecter sees connect → handshake, the binder accept → handshake; when the binder goes
 * away the connecter sees disconnect, retries, and reaches a new binder on the same address.
 */
import { Pull, Push, type Socket } from "@zmq-ts/core"
import { equal, test, within } from "./harness.ts"

function record(socket: Socket): string[] {
  const seen: string[] = []
  for (const type of ["connect", "accept", "handshake", "disconnect"] as const) socket.events.on(type, () => seen.push(type))
  return seen
}

function next(socket: Socket, type: "handshake" | "disconnect" | "connect:retry"): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const listener = (): void => {
        socket.events.off(type, listener)
        resolve()
      }
      socket.events.on(type, listener)
    }),
    5000,
    `a "${type}" event`,
  )
}

for (const address of ["tcp://127.0.0.1:*", "ws://127.0.0.1:*/zmq"]) {
  const transport = address.slice(0, address.indexOf(":"))
  test(`monitor events and reconnect over ${transport}`, async ({ track }) => {
    const pull = track(new Pull())
    await pull.bind(address)
    const endpoint = pull.lastEndpoint!
    const push = track(new Push({ reconnectInterval: 50 }))
    const pushEvents = record(push)
    const pullEvents = record(pull)
    const connected = Promise.all([next(push, "handshake"), next(pull, "handshake")])
    push.connect(endpoint)
    await connected
    equal(pushEvents, ["connect", "handshake"], "the connecter's events")
    equal(pullEvents, ["accept", "handshake"], "the binder's events")
    await push.send("before")
    equal(new TextDecoder().decode((await pull.receive())[0]), "before", "first binder")

    const gone = next(push, "disconnect")
    pull.close()
    await gone
    const retried = next(push, "connect:retry")
    await retried
    const again = track(new Pull())
    const back = next(push, "handshake")
    await again.bind(endpoint)
    await back
    await push.send("after")
    equal(new TextDecoder().decode((await again.receive())[0]), "after", "the new binder on the same address")
  })
}
