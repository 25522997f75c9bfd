/**
 * The draft types on the wire, against a peer speaking ZMTP by hand (the @zmq-ts/zmtp codec on a raw tcp
 * socket), for what a well-behaved peer never sends and for the exact wire forms:
 *
 *   raw CLIENT ──["a","b"] then ["ok"]──▶ our SERVER        the multipart message is dropped whole
 *   raw SERVER ──["a","b"] then ["ok"]──▶ our CLIENT
 *   raw RADIO  ──[g, body, extra], [body], [g, "ok"]──▶ our DISH     only the last arrives
 *   our DISH   ──JOIN g / LEAVE g──▶ raw RADIO              commands, as libzmq's dish_session
 *   our RADIO  ──[g MORE][body]──▶ raw DISH                 after the raw DISH's JOIN command
 */
import { once } from "node:events"
import { connect, type Socket as NetSocket } from "node:net"
import { ZmtpConnection, type SocketType, type ZmtpEvent } from "@zmq-ts/zmtp"
import { describe, expect, it } from "vitest"
import { Client, Dish, Radio, Server } from "../../src/draft.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { until } from "../helpers/transports.js"

interface RawPeer {
  readonly connection: ZmtpConnection
  readonly events: ZmtpEvent[]
  send(frames: string[]): void
  flush(): void
}

/** A raw ZMTP peer of `type` connected to `endpoint` (tcp://host:port), once its handshake is done. */
async function rawPeer(type: SocketType, endpoint: string, zmtpMinorVersion: 0 | 1 = 1): Promise<RawPeer> {
  const [host, port] = endpoint.replace("tcp://", "").split(":") as [string, string]
  const socket: NetSocket = connect(Number(port), host)
  afterThisTest(() => socket.destroy())
  const connection = new ZmtpConnection({ socketType: type, zmtpMinorVersion })
  const events: ZmtpEvent[] = []
  const flush = (): void => {
    const bytes = connection.dataToSend()
    if (bytes.length > 0) socket.write(bytes)
  }
  socket.on("data", (chunk) => {
    events.push(...connection.receiveData(chunk))
    flush()
  })
  await once(socket, "connect")
  flush()
  await until(() => events.some((event) => event.type === "ready"), 5000, "the raw peer's handshake")
  return {
    connection,
    events,
    send(frames) {
      connection.send(frames.map((frame) => Buffer.from(frame)))
      flush()
    },
    flush,
  }
}

const text = (frames: readonly Uint8Array[]): string[] => frames.map((frame) => Buffer.from(frame).toString())

describe("draft types on the wire (a raw ZMTP peer)", () => {
  it("our SERVER drops a multipart message whole and takes the next one", async () => {
    const server = track(new Server())
    await server.bind("tcp://127.0.0.1:*")
    const peer = await rawPeer("CLIENT", server.lastEndpoint!)
    peer.send(["a", "b"])
    peer.send(["ok"])
    const [body, { routingId }] = await server.receive()
    expect(body.toString()).toBe("ok")
    await server.send("reply", { routingId })
    await until(() => peer.events.some((event) => event.type === "message"), 5000, "the reply")
    const replies = peer.events.filter((event) => event.type === "message")
    expect(replies.map((event) => text(event.frames))).toEqual([["reply"]])
  })

  it("our CLIENT drops a multipart message whole and takes the next one", async () => {
    const client = track(new Client())
    await client.bind("tcp://127.0.0.1:*")
    const peer = await rawPeer("SERVER", client.lastEndpoint!)
    peer.send(["a", "b"])
    peer.send(["ok"])
    expect((await client.receive())[0]!.toString()).toBe("ok")
  })

  it("our DISH sends JOIN/LEAVE commands, and drops what is not [group, body] or not joined", async () => {
    const dish = track(new Dish())
    dish.join("weather")
    await dish.bind("tcp://127.0.0.1:*")
    const radio = await rawPeer("RADIO", dish.lastEndpoint!)
    await until(() => radio.events.some((event) => event.type === "join"), 5000, "the JOIN command")
    dish.join("news")
    dish.leave("news")
    await until(() => radio.events.some((event) => event.type === "leave"), 5000, "the LEAVE command")
    const commands = radio.events.filter((event) => event.type === "join" || event.type === "leave")
    expect(commands.map((event) => `${event.type} ${Buffer.from(event.group).toString()}`)).toEqual(["join weather", "join news", "leave news"])
    radio.send(["weather", "rain", "extra"])
    radio.send(["no group"])
    radio.send(["sports", "not joined"])
    radio.send(["weather", "ok"])
    const [body, { group }] = await dish.receive()
    expect([group.toString(), body.toString()]).toEqual(["weather", "ok"])
    expect(dish.readable).toBe(false)
  })

  it("our RADIO sends [group MORE][body] to a DISH that sent JOIN, and nothing after its LEAVE", async () => {
    const radio = track(new Radio())
    await radio.bind("tcp://127.0.0.1:*")
    const dish = await rawPeer("DISH", radio.lastEndpoint!)
    dish.connection.join(Buffer.from("g"))
    dish.flush()
    const messages = (): ZmtpEvent[] => dish.events.filter((event) => event.type === "message")
    while (messages().length === 0) {
      await radio.send("body", { group: "g" })
      await until(() => messages().length > 0, 100).catch(() => undefined)
    }
    expect(text((messages()[0] as { frames: Uint8Array[] }).frames)).toEqual(["g", "body"])
    dish.connection.leave(Buffer.from("g"))
    dish.connection.join(Buffer.from("h"))
    dish.flush()
    const before = messages().length
    // Once "h" arrives, the LEAVE of "g" (sent before the JOIN of "h") has been applied.
    while (messages().length === before || text((messages().at(-1) as { frames: Uint8Array[] }).frames)[0] !== "h") {
      await radio.send("after leave", { group: "g" })
      await radio.send("h body", { group: "h" })
      await until(() => messages().length > before, 100).catch(() => undefined)
    }
    const count = messages().length
    await radio.send("after leave", { group: "g" })
    await radio.send("last", { group: "h" })
    await until(() => messages().length > count, 5000, "the last message")
    expect(text((messages().at(-1) as { frames: Uint8Array[] }).frames)).toEqual(["h", "last"])
    expect(messages().length).toBe(count + 1)
  })

  it("a peer that claims ZMTP 3.0 (no JOIN command there) gets no JOIN from our DISH, and the DISH lives on", async () => {
    const dish = track(new Dish())
    dish.join("g")
    await dish.bind("tcp://127.0.0.1:*")
    const radio = await rawPeer("RADIO", dish.lastEndpoint!, 0)
    dish.join("h")
    radio.send(["g", "still delivered"])
    const [body, { group }] = await dish.receive()
    expect([group.toString(), body.toString()]).toEqual(["g", "still delivered"])
    expect(radio.events.filter((event) => event.type === "join" || event.type === "command")).toEqual([])
  })
})
