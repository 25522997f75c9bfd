/**
 * RADIO ↔ DISH (RFC 48, draft) over tcp, ipc and inproc: libzmq's test_radio_dish, less its udp cases.
 *
 *   radio ──[group, body]──▶ dish      only the groups the dish joined, exact match
 *   radio ◀──JOIN/LEAVE──── dish       sent on every new pipe and again after a reconnect
 */
import { describe, expect, it } from "vitest"
import { Poller } from "../../src/index.js"
import { Dish, Radio, type AnySocket } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { handshakes, hasIpv6Loopback, nextEvent, settlesWithin, TRANSPORTS, until } from "../helpers/transports.js"

/** Sends `body` to `group` until `dish` receives something (a join takes a round trip to reach the radio). */
async function sendUntilJoined(radio: Radio, dish: Dish, group: string, body = "probe"): Promise<void> {
  for (;;) {
    await radio.send(body, { group })
    if (await settlesWithin(until(() => dish.readable, 50), 100)) {
      if (dish.readable) break
    }
  }
  // Drain the probes.
  while (dish.readable) await dish.receive()
}

for (const transport of TRANSPORTS) {
  describe(`RADIO ↔ DISH over ${transport.name}`, () => {
    for (const binder of ["radio", "dish"] as const) {
      it(`delivers only the joined groups' messages, each with its group (the ${binder} binds)`, async () => {
        const radio = track(new Radio())
        const dish = track(new Dish())
        dish.join("movies", "tv")
        const [bound, connecting] = binder === "radio" ? [radio, dish] : [dish, radio]
        const up = handshakes(transport, bound)
        await bound.bind(transport.bindAddress())
        connecting.connect(transport.connectAddress(bound))
        await up
        await sendUntilJoined(radio, dish, "movies")
        await radio.send("star wars", { group: "movies" })
        await radio.send("news", { group: "weather" })
        await radio.send("friends", { group: "tv" })
        await radio.send(Buffer.from("blade runner"), { group: Buffer.from("movies") })
        const received: Array<[string, string]> = []
        for (let i = 0; i < 3; i++) {
          const [body, { group }] = await dish.receive()
          received.push([group.toString(), body.toString()])
        }
        expect(received).toEqual([
          ["movies", "star wars"],
          ["tv", "friends"],
          ["movies", "blade runner"],
        ])
      })
    }

    it("stops delivering a group after leave()", async () => {
      const radio = track(new Radio())
      const dish = track(new Dish())
      await dish.bind(transport.bindAddress())
      const up = handshakes(transport, dish)
      radio.connect(transport.connectAddress(dish))
      await up
      dish.join("a", "b")
      await sendUntilJoined(radio, dish, "b")
      dish.leave("a")
      // The LEAVE and later messages travel the same ordered path: "b" after it shows it has arrived.
      await radio.send("late a", { group: "a" })
      await radio.send("b1", { group: "b" })
      const [body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual(["b", "b1"])
    })

    it("carries a 255-byte group (test_long_group), and joins made before the RADIO is there", async () => {
      const address = await transport.fixedAddress()
      const long = "L".repeat(255)
      const dish = track(new Dish({ reconnectInterval: 20 }))
      dish.join(long)
      dish.connect(address) // before anything is bound: the JOIN waits in the pipe
      const radio = track(new Radio())
      await radio.bind(address)
      await sendUntilJoined(radio, dish, long)
      await radio.send("long", { group: long })
      const [body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual([long, "long"])
    })

    it("sends its joins on every new pipe: a DISH connected to two RADIOs gets both groups' messages", async () => {
      const dish = track(new Dish())
      dish.join("one", "two")
      const radios = [track(new Radio()), track(new Radio())]
      for (const radio of radios) await radio.bind(transport.bindAddress())
      for (const radio of radios) dish.connect(transport.connectAddress(radio))
      await sendUntilJoined(radios[0]!, dish, "one")
      await sendUntilJoined(radios[1]!, dish, "two")
      await radios[0]!.send("from the first", { group: "one" })
      await radios[1]!.send("from the second", { group: "two" })
      const seen = new Set<string>()
      for (let i = 0; i < 2; i++) {
        const [body, { group }] = await dish.receive()
        seen.add(`${group.toString()}:${body.toString()}`)
      }
      expect(seen).toEqual(new Set(["one:from the first", "two:from the second"]))
    })

    it("Poller sees a DISH readable and a RADIO writable (test_radio_dish's tcp poll)", async () => {
      const radio = track(new Radio())
      const dish = track(new Dish())
      dish.join("poll")
      await radio.bind(transport.bindAddress())
      dish.connect(transport.connectAddress(radio))
      const writable = await new Poller<Radio>().add(radio, "writable").poll(1000)
      expect(writable.map((item) => item.writable)).toEqual([true])
      const poller = new Poller<Dish>().add(dish, "readable")
      expect(await poller.poll(0)).toEqual([])
      await sendUntilJoined(radio, dish, "poll")
      await radio.send("hello", { group: "poll" })
      const ready = await poller.poll(5000)
      expect(ready.map((item) => item.socket)).toEqual([dish])
      const [body] = await dish.receive()
      expect(body.toString()).toBe("hello")
    })
  })
}

describe("RADIO/DISH rules (test_radio_dish)", () => {
  it("refuses leaving a group not joined, joining twice and a group over 255 bytes: EINVAL", () => {
    const dish = track(new Dish())
    expect(() => dish.leave("never")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    dish.join("once")
    expect(() => dish.join("once")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => dish.join("x".repeat(256))).toThrow(expect.objectContaining({ code: "EINVAL" }))
    dish.join("x".repeat(255))
    dish.leave("x".repeat(255))
    expect(() => dish.leave("x".repeat(255))).toThrow(expect.objectContaining({ code: "EINVAL" }))
  })

  it("refuses a multipart send, a send without a group and a group over 255 bytes: EINVAL", async () => {
    const radio = track(new Radio())
    await expect(radio.send(["a", "b"], { group: "g" })).rejects.toMatchObject({ code: "EINVAL" })
    await expect(radio.send("a")).rejects.toMatchObject({ code: "EINVAL" })
    await expect(radio.send("a", { group: "g".repeat(256) })).rejects.toMatchObject({ code: "EINVAL" })
    await radio.send("a", { group: "g".repeat(255) }) // nobody joined: dropped, not an error
    await radio.send(["one part in an array"], { group: "g" })
  })

  it("a DISH cannot send and a RADIO cannot receive: ENOTSUP", async () => {
    const radio = track(new Radio())
    const dish = track(new Dish())
    await expect(dish.send("x")).rejects.toMatchObject({ code: "ENOTSUP" })
    await expect(radio.receive()).rejects.toMatchObject({ code: "ENOTSUP" })
  })

  it("reads DISH linger 0 and threadSafe true, as libzmq", () => {
    const dish = track(new Dish())
    const radio = track(new Radio())
    expect(dish.linger).toBe(0)
    expect(dish.threadSafe).toBe(true)
    expect(radio.threadSafe).toBe(true)
    expect(dish.type).toBe(15)
    expect(radio.type).toBe(14)
  })
})

describe("RADIO/DISH across a reconnect", () => {
  for (const transport of TRANSPORTS.filter((t) => t.name !== "inproc")) {
    it(`${transport.name}: a DISH joins again after its RADIO restarts (JOIN resent after a reconnect)`, async () => {
      const address = await transport.fixedAddress()
      const dish = track(new Dish({ reconnectInterval: 20 }))
      dish.join("kept")
      dish.connect(address)
      const first = track(new Radio({ linger: 0 }))
      await first.bind(address)
      await sendUntilJoined(first, dish, "kept")
      const gone = nextEvent(dish, "disconnect")
      first.close()
      await gone
      const second = track(new Radio({ linger: 0 }))
      const up = nextEvent(dish, "handshake")
      await second.bind(address)
      await up
      // The new RADIO has heard no JOIN but the one the DISH resends on reconnecting.
      await sendUntilJoined(second, dish, "kept")
      await second.send("after restart", { group: "kept" })
      const [body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual(["kept", "after restart"])
    })
  }
})

describe("RADIO at the high-water mark", () => {
  it("drops for a full DISH (lossy, as PUB), and waits instead with noDrop (EAGAIN with sendTimeout 0)", async () => {
    const radio = track(new Radio({ sendHighWaterMark: 1 }))
    const dish = track(new Dish({ receiveHighWaterMark: 1 }))
    dish.join("g")
    await radio.bind("inproc://radio-hwm")
    dish.connect("inproc://radio-hwm")
    for (let i = 0; i < 10; i++) await radio.send(String(i), { group: "g" })
    // inproc's pipe holds SNDHWM + RCVHWM = 2: the first two arrive, the rest were dropped.
    expect((await dish.receive())[0].toString()).toBe("0")
    expect((await dish.receive())[0].toString()).toBe("1")
    expect(dish.readable).toBe(false)
    radio.close()
    const strict = track(new Radio({ sendHighWaterMark: 1, noDrop: true }))
    await strict.bind("inproc://radio-hwm-nodrop")
    dish.connect("inproc://radio-hwm-nodrop")
    await strict.send("a", { group: "g" })
    await strict.send("b", { group: "g" })
    const waiting = strict.send("c", { group: "g" })
    expect(await settlesWithin(waiting, 100)).toBe(false)
    strict.sendTimeout = 0
    await expect(strict.send("d", { group: "g" })).rejects.toMatchObject({ code: "EAGAIN" })
    expect((await dish.receive())[0].toString()).toBe("a")
    await waiting
    expect((await dish.receive())[0].toString()).toBe("b")
    expect((await dish.receive())[0].toString()).toBe("c")
  })
})

const IPV6 = await hasIpv6Loopback()

describe("test_radio_dish_tcp_poll", () => {
  for (const ipv6 of [false, true]) {
    it.skipIf(ipv6 && !IPV6)(`over tcp ${ipv6 ? "IPv6" : "IPv4"}: join, leave, and a Poller seeing only the DISH readable`, async () => {
      const radio = track(new Radio({ ipv6 }))
      await radio.bind(ipv6 ? "tcp://[::1]:*" : "tcp://127.0.0.1:*")
      const dish = track(new Dish({ ipv6 }))
      dish.join("Movies")
      dish.connect(radio.lastEndpoint!)
      await sendUntilJoined(radio, dish, "Movies")
      await radio.send("Friends", { group: "TV" }) // not joined: not sent
      await radio.send("Godfather", { group: "Movies" })
      let [body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual(["Movies", "Godfather"])
      dish.join("TV")
      await sendUntilJoined(radio, dish, "TV")
      await radio.send("Friends", { group: "TV" })
      ;[body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual(["TV", "Friends"])
      dish.leave("TV")
      await radio.send("Friends", { group: "TV" })
      await radio.send("Godfather", { group: "Movies" })
      const ready = await new Poller<AnySocket>().add(radio, "readable").add(dish, "readable").poll(2000)
      expect(ready.map((item) => item.socket)).toEqual([dish])
      ;[body, { group }] = await dish.receive()
      expect([group.toString(), body.toString()]).toEqual(["Movies", "Godfather"])
    })
  }
})
