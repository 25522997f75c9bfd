/**
 * RADIO → DISH over udp://, after libzmq's tests/test_radio_dish.cpp udp cases (bind/connect
 * ENOCOMPATPROTO, unicast over IPv4 and IPv6, multicast with and without loop), plus what a DISH must
 * survive: garbage, truncated and oversized datagrams (sent with node:dgram), and any join/leave sequence.
 *
 *   Radio ──connect udp://host:port──▶ [len][group][body] datagrams ──▶ Dish bind udp://*:port
 *
 * Multicast here goes over the loopback interface named explicitly (`udp://127.0.0.1;239.x.y.z:port`),
 * which Linux allows without a multicast route; the forms that need one (no interface, IPv6 groups) and
 * multicastLoop (whose datagrams come back over lo whatever the option says) run in a network namespace
 * of their own (udp-multicast-netns.test.ts).
 */
import { Buffer } from "node:buffer"
import { readdirSync } from "node:fs"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Poller, Proxy } from "../../src/index.js"
import { Datagram, Dish, Radio } from "../../src/draft.js"
import { settlesWithin, until } from "../helpers/transports.js"
import { freeUdpPort, groupDatagram, rawSocket, sendDatagram, track } from "./udp-helpers.js"

async function boundDish(address: (port: number) => string, options: { ipv6?: boolean; receiveHighWaterMark?: number } = {}): Promise<{ dish: Dish; port: number }> {
  const port = await freeUdpPort()
  const dish = track(new Dish(options))
  await dish.bind(address(port))
  return { dish, port }
}

async function receiveText(dish: Dish): Promise<[string, string]> {
  const [body, { group }] = await dish.receive()
  return [group.toString(), body.toString()]
}

describe("RADIO/DISH over udp (libzmq's test_radio_dish)", () => {
  it.each([false, true])("a DISH cannot connect, a RADIO cannot bind: ENOCOMPATPROTO (ipv6 %s)", async (ipv6) => {
    const dish = track(new Dish({ ipv6 }))
    expect(() => dish.connect(ipv6 ? "udp://[::1]:5556" : "udp://127.0.0.1:5556")).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO" }))
    const radio = track(new Radio({ ipv6 }))
    await expect(radio.bind("udp://*:5556")).rejects.toMatchObject({ code: "ENOCOMPATPROTO" })
  })

  it("unicast over IPv4: the DISH binds *, the RADIO connects to 127.0.0.1", async () => {
    const { dish, port } = await boundDish((p) => `udp://*:${p}`)
    expect(dish.lastEndpoint).toBe(`udp://*:${port}`)
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    dish.join("TV")
    await radio.send("Friends", { group: "TV" })
    expect(await receiveText(dish)).toEqual(["TV", "Friends"])
  })

  it("unicast over IPv6 with the ipv6 option: the DISH binds * (both families), the RADIO connects to [::1]", async () => {
    const { dish, port } = await boundDish((p) => `udp://*:${p}`, { ipv6: true })
    const radio = track(new Radio({ ipv6: true }))
    radio.connect(`udp://[::1]:${port}`)
    dish.join("TV")
    await radio.send("Friends", { group: "TV" })
    expect(await receiveText(dish)).toEqual(["TV", "Friends"])
    // The same DISH hears IPv4 RADIOs too.
    const four = track(new Radio())
    four.connect(`udp://127.0.0.1:${port}`)
    await four.send("Seinfeld", { group: "TV" })
    expect(await receiveText(dish)).toEqual(["TV", "Seinfeld"])
  })

  it("a host name is looked up once (localhost)", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    const radio = track(new Radio())
    radio.connect(`udp://localhost:${port}`)
    dish.join("g")
    await radio.send("by name", { group: "g" })
    expect(await receiveText(dish)).toEqual(["g", "by name"])
  })

  it("multicast on the loopback interface (udp://127.0.0.1;239.x.y.z:port), to every DISH that joined", async () => {
    const port = await freeUdpPort()
    const url = `udp://127.0.0.1;239.193.7.1:${port}`
    const dishes = [track(new Dish()), track(new Dish())]
    for (const dish of dishes) {
      await dish.bind(url)
      dish.join("TV")
    }
    const radio = track(new Radio())
    radio.connect(url)
    await radio.send("Friends", { group: "TV" })
    for (const dish of dishes) expect(await receiveText(dish)).toEqual(["TV", "Friends"])
  })

  it("the DISH filters by its groups itself: udp brings every group, and join/leave apply at once", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    dish.join("movies", "tv")
    for (const [group, body] of [["movies", "1"], ["weather", "2"], ["tv", "3"], ["movie", "4"], ["movies", "5"]]) await radio.send(body!, { group: group! })
    expect([await receiveText(dish), await receiveText(dish), await receiveText(dish)]).toEqual([
      ["movies", "1"],
      ["tv", "3"],
      ["movies", "5"],
    ])
    dish.leave("movies")
    await radio.send("6", { group: "movies" })
    await radio.send("7", { group: "tv" })
    expect(await receiveText(dish)).toEqual(["tv", "7"])
  })

  it("a datagram of 8192 bytes goes through; a message that would exceed it is dropped and the send succeeds", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    dish.join("g")
    await radio.send(Buffer.alloc(8191, 1), { group: "g" }) // 1 + 1 + 8191 = 8193 bytes: dropped
    await radio.send(Buffer.alloc(8190, 2), { group: "g" }) // exactly 8192
    const [body, { group }] = await dish.receive()
    expect(group.toString()).toBe("g")
    expect(body.equals(Buffer.alloc(8190, 2))).toBe(true)
    const long = "x".repeat(255)
    dish.join(long)
    await radio.send("long group", { group: long })
    expect(await receiveText(dish)).toEqual([long, "long group"])
  })

  it("Poller: a DISH over udp turns readable when a datagram of a joined group arrives, a Datagram too", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    dish.join("poll")
    const datagram = track(new Datagram())
    await datagram.bind("udp://127.0.0.1:*")
    const poller = new Poller<Dish | Datagram>().add(dish, "readable").add(datagram, "readable")
    expect(await poller.poll(0)).toEqual([])
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    await radio.send("ignored", { group: "other" })
    await radio.send("hello", { group: "poll" })
    expect((await poller.poll(5000)).map((item) => item.socket)).toEqual([dish])
    expect(await receiveText(dish)).toEqual(["poll", "hello"])
    await datagram.send([datagram.lastEndpoint!.slice("udp://".length), "to myself"])
    expect((await poller.poll(5000)).map((item) => item.socket)).toEqual([datagram])
  })

  it("Proxy bridges udp to tcp: [udp DISH │ proxy │ tcp RADIO] keeps each message's group", async () => {
    const { dish: frontEnd, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    frontEnd.join("news", "sports")
    const backEnd = track(new Radio())
    await backEnd.bind("tcp://127.0.0.1:*")
    const proxy = new Proxy(frontEnd, backEnd)
    const running = proxy.run()
    const source = track(new Radio())
    source.connect(`udp://127.0.0.1:${port}`)
    const listener = track(new Dish())
    listener.join("sports")
    listener.connect(backEnd.lastEndpoint!)
    // The listener's JOIN reaches the tcp RADIO after its handshake: probe until one comes through.
    while (!listener.readable) {
      await source.send("probe", { group: "sports" })
      await settlesWithin(until(() => listener.readable, 50), 100)
    }
    await source.send("headline", { group: "news" })
    await source.send("score", { group: "sports" })
    let received = await receiveText(listener)
    while (received[1] === "probe") received = await receiveText(listener)
    expect(received).toEqual(["sports", "score"])
    proxy.terminate()
    await running
  })

  it("the datagram is [group length][group][body] on the wire", async () => {
    const peer = await rawSocket()
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${peer.port}`)
    await radio.send("body", { group: "grp" })
    expect((await peer.received()).data).toEqual(Buffer.concat([Buffer.from([3]), Buffer.from("grp"), Buffer.from("body")]))
  })

  it("queued sends go out once the RADIO's socket is up, in order", async () => {
    const peer = await rawSocket()
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${peer.port}`)
    for (let i = 0; i < 100; i++) await radio.send(String(i), { group: "n" })
    for (let i = 0; i < 100; i++) expect((await peer.received()).data.subarray(2).toString()).toBe(String(i))
  })

  it("unbind frees the port and disconnect stops the RADIO", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    await dish.unbind(`udp://127.0.0.1:${port}`)
    const again = track(new Dish())
    await again.bind(`udp://127.0.0.1:${port}`)
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    radio.disconnect(`udp://127.0.0.1:${port}`)
    expect(() => radio.disconnect(`udp://127.0.0.1:${port}`)).toThrow(expect.objectContaining({ code: "ENOENT" }))
  })

  it.skipIf(process.platform !== "linux")("200 bind/connect/unbind/disconnect cycles leave no socket open (file descriptors back to where they were)", async () => {
    const openFds = (): number => readdirSync("/proc/self/fd").length
    const port = await freeUdpPort()
    const endpoint = `udp://127.0.0.1:${port}`
    const radio = track(new Radio())
    const dish = track(new Dish())
    const before = openFds()
    for (let i = 0; i < 200; i++) {
      // Rebinding the same unicast port each time also proves the previous DISH socket is gone (no reuse).
      await dish.bind(endpoint)
      dish.join("g")
      radio.connect(endpoint)
      await radio.send(`cycle ${i}`, { group: "g" })
      expect(await receiveText(dish)).toEqual(["g", `cycle ${i}`])
      radio.disconnect(endpoint)
      await dish.unbind(endpoint)
      dish.leave("g")
    }
    await until(() => openFds() <= before)
    expect(openFds()).toBeLessThanOrEqual(before)
  })

  it("an interface is allowed with a multicast group only; IPv6 needs the ipv6 option (EINVAL)", async () => {
    const radio = track(new Radio())
    expect(() => radio.connect("udp://127.0.0.1;127.0.0.2:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => radio.connect("udp://239.0.0.1;239.0.0.2:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => radio.connect("udp://[::1]:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    const six = track(new Radio({ ipv6: true }))
    expect(() => six.connect("udp://127.0.0.1;[ff02::1]:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => six.connect("udp://::1;[ff02::1]:5555")).toThrow(expect.objectContaining({ code: "ENODEV" }))
    expect(() => six.connect("udp://[::1];239.0.0.1:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    const dish = track(new Dish())
    await expect(dish.bind("udp://no-such-interface0:5555")).rejects.toMatchObject({ code: "ENODEV" })
  })
})

describe("a DISH drops bad datagrams whole and keeps serving", () => {
  it("empty, length byte past the end, and larger than 8192 bytes", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    dish.join("g", "")
    const peer = await rawSocket()
    await sendDatagram(peer.socket, Buffer.alloc(0), port)
    await sendDatagram(peer.socket, Buffer.from([200, 0x67, 1, 2]), port) // claims a 200-byte group
    await sendDatagram(peer.socket, groupDatagram("g", Buffer.alloc(8191)), port) // 8193 bytes
    await sendDatagram(peer.socket, Buffer.from([0]), port) // the empty group, empty body: valid
    await sendDatagram(peer.socket, groupDatagram("g", "good"), port)
    expect(await receiveText(dish)).toEqual(["", ""])
    expect(await receiveText(dish)).toEqual(["g", "good"])
  })

  it("any datagram: exactly the well-formed ones of joined groups arrive, in order (fast-check)", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    dish.join("a", "bb")
    const peer = await rawSocket()
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc.record({ group: fc.constantFrom("a", "bb", "c", ""), body: fc.uint8Array({ maxLength: 32 }) }).map(({ group, body }) => groupDatagram(group, Buffer.from(body))),
    )
    let round = 0
    await fc.assert(
      fc.asyncProperty(fc.array(datagram, { maxLength: 20 }), async (datagrams) => {
        const end = `end ${round++}`
        const expected: Array<[string, string]> = []
        for (const data of datagrams) {
          await sendDatagram(peer.socket, data, port)
          // The model, independent of the engine: a length byte, that many group bytes, the rest is the body.
          if (data.length === 0 || 1 + data[0]! > data.length) continue
          const group = data.subarray(1, 1 + data[0]!).toString("latin1")
          if (group === "a" || group === "bb") expected.push([group, data.subarray(1 + data[0]!).toString("latin1")])
        }
        await sendDatagram(peer.socket, groupDatagram("a", end), port)
        const received: Array<[string, string]> = []
        for (;;) {
          const [body, { group }] = await dish.receive()
          if (group.toString() === "a" && body.toString() === end) break
          received.push([group.toString("latin1"), body.toString("latin1")])
        }
        expect(received).toEqual(expected)
      }),
      { numRuns: 50 },
    )
  })

  it("under any join/leave sequence, a RADIO's message arrives exactly when its group is joined (fast-check)", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`)
    const radio = track(new Radio())
    radio.connect(`udp://127.0.0.1:${port}`)
    dish.join("control")
    const groups = ["red", "green", "blue"]
    const step = fc.record({ toggle: fc.constantFrom(...groups), send: fc.constantFrom(...groups) })
    let serial = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        const joined = new Set<string>()
        try {
          for (const { toggle, send } of steps) {
            if (joined.has(toggle)) {
              dish.leave(toggle)
              joined.delete(toggle)
            } else {
              dish.join(toggle)
              joined.add(toggle)
            }
            const body = `m${serial++}`
            await radio.send(body, { group: send })
            await radio.send(body, { group: "control" })
            const first = await receiveText(dish)
            if (joined.has(send)) {
              expect(first).toEqual([send, body])
              expect(await receiveText(dish)).toEqual(["control", body])
            } else {
              expect(first).toEqual(["control", body])
            }
          }
        } finally {
          for (const group of joined) dish.leave(group)
        }
      }),
      { numRuns: 30 },
    )
  })

  it("a DISH whose pipe is full drops what does not fit, and delivers again once read", async () => {
    const { dish, port } = await boundDish((p) => `udp://127.0.0.1:${p}`, { receiveHighWaterMark: 5 })
    dish.join("g")
    const peer = await rawSocket()
    for (let i = 0; i < 20; i++) await sendDatagram(peer.socket, groupDatagram("g", String(i)), port)
    // The 20 are in the DISH's kernel buffer before it reads (loopback delivers within sendto, and node:dgram
    // reports those sends without a turn of the event loop), and libuv reads up to 32 datagrams of a socket
    // at once: when the DISH turns readable, the engine has taken all 20, 5 into the pipe, 15 dropped.
    await until(() => dish.readable)
    await sendDatagram(peer.socket, groupDatagram("g", "after"), port)
    const bodies: string[] = []
    for (let body = ""; body !== "after"; ) bodies.push((body = (await receiveText(dish))[1]))
    // Exactly ["0" … "4", "after"] here; a slower machine may let a late datagram in once reading began.
    expect(bodies.slice(0, 5)).toEqual(["0", "1", "2", "3", "4"])
    expect(bodies.at(-1)).toBe("after")
    expect(bodies.length).toBeLessThan(21)
    await sendDatagram(peer.socket, groupDatagram("g", "again"), port)
    expect(await receiveText(dish)).toEqual(["g", "again"])
  })
})
