/**
 * The draft classes' shape against zeromq.js 6.8's own (`zeromq/draft`, run side by side): every property
 * zeromq.js defines on a draft class (its options, `type`, `events`, …) exists on ours and reads the same
 * default, apart from the differences every socket type has (rows under Options in docs/zeromqjs-compat.md)
 * and those the draft rows list. Our sockets are sealed, so a property zeromq.js lacks on a class (Radio's
 * noDrop and multicastLoop aside) cannot be set either.
 */
import { afterEach, describe, expect, it } from "vitest"
import * as theirs from "zeromq/draft.js"
import * as ours from "../../src/draft.js"
import * as zeromq from "zeromq"
import { capability, Dealer } from "../../src/index.js"

const NAMES = ["Server", "Client", "Radio", "Dish", "Gather", "Scatter", "Datagram"] as const

/** Differences every socket type has: unset string options read null (zeromq.js: EINVAL), write-only conflate reads back. */
const KNOWN: Record<string, unknown> = {
  tcpAcceptFilter: null,
  curvePublicKey: null,
  curveSecretKey: null,
  curveServerKey: null,
  conflate: false,
}

interface Closable {
  close(): void
}
const made: Closable[] = []
afterEach(() => {
  for (const socket of made.splice(0)) socket.close()
})

function accessors(prototype: object): string[] {
  const names = new Set<string>()
  for (let level: object | null = prototype; level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(level))) {
      if (descriptor.get !== undefined || descriptor.set !== undefined) names.add(name)
    }
  }
  return [...names].sort()
}

/** A property's value as a comparable string: objects by class, errors by code. */
function read(socket: object, name: string): string {
  try {
    const value: unknown = (socket as Record<string, unknown>)[name]
    if (typeof value === "object" && value !== null) return `object ${value.constructor.name}`
    return JSON.stringify(value) ?? "undefined"
  } catch (error) {
    return `throws ${(error as { code?: string }).code ?? String(error)}`
  }
}

describe("capability.draft", () => {
  it("is true, as in zeromq.js's draft-enabled build, and every zeromq/draft class has a namesake here", () => {
    expect(capability.draft).toBe(zeromq.capability.draft)
    expect(capability.draft).toBe(true)
    for (const name of Object.keys(theirs)) expect(typeof (ours as Record<string, unknown>)[name], name).toBe("function")
  })
})

describe("draft classes have zeromq.js's properties and defaults", () => {
  it.each(NAMES)("%s", (name) => {
    const TheirClass = theirs[name] as unknown as new () => Closable
    const OurClass = ours[name] as unknown as new () => Closable
    const their = new TheirClass()
    const our = new OurClass()
    made.push(their, our)
    const theirNames = accessors(TheirClass.prototype)
    expect(theirNames.length).toBeGreaterThan(30)
    expect(theirNames.filter((property) => !accessors(OurClass.prototype).includes(property))).toEqual([])
    const differences: string[] = []
    for (const property of theirNames) {
      if (property === "events" || property === "context") continue // objects of each library's own classes
      const expected = property in KNOWN && read(their, property) !== read(our, property) ? JSON.stringify(KNOWN[property]) : read(their, property)
      // A DISH is writable to zeromq.js's poller (dish_t::xhas_out: joins may come any time); ours cannot send.
      if (name === "Dish" && property === "writable") continue
      if (read(our, property) !== expected) differences.push(`${property}: zeromq.js ${read(their, property)}, ours ${read(our, property)}`)
    }
    expect(differences).toEqual([])
    expect(Object.isSealed(our)).toBe(true)
    // No own properties beyond what every socket of ours has (docs/zeromqjs-compat.md: Object.keys).
    const dealer = new Dealer()
    made.push(dealer)
    expect(Object.keys(our)).toEqual(Object.keys(dealer))
  })

  it("the options beyond zeromq.js's set: libzmq 4.3.5's hello/disconnect/hiccup messages on Server and Client, and Radio's noDrop (ZMQ_XPUB_NODROP, which libzmq's radio_t takes) and multicastLoop (udp)", () => {
    const extras = NAMES.flatMap((name) => {
      const theirNames = accessors((theirs[name] as unknown as { prototype: object }).prototype)
      const dealerInternals = accessors(Object.getPrototypeOf(ours.Client.prototype) as object)
      return accessors((ours[name] as unknown as { prototype: object }).prototype)
        .filter((property) => !theirNames.includes(property) && !dealerInternals.includes(property))
        .filter((property) => !["receivedShape", "canSend", "canReceive", "requiresPeerIdentity"].includes(property))
        .map((property) => `${name}.${property}`)
    })
    expect(extras.sort()).toEqual([
      "Client.helloMessage",
      "Client.hiccupMessage",
      "Radio.multicastLoop",
      "Radio.noDrop",
      "Server.disconnectMessage",
      "Server.helloMessage",
    ])
  })
})
