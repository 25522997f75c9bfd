/**
 * ws-chat's broker end to end on Node: the example runs as its own process (as `pnpm example ws-chat 0`
 * runs it, on ports the OS picks), serves its page and bundle, and relays chat lines between two zmq-ts
 * "tabs" (a PUB and a SUB each, over ws://) through its XSUB/XPUB proxy; Ctrl-C ends it with exit 0.
 * The same broker with two real browser pages: apps/chromium/suite/ws-chat.test.ts (CI-only).
 */
import { Publisher, Subscriber } from "@zmq-ts/core"
import { afterEach, describe, expect, it } from "vitest"
import { startExample, stopAll } from "./helpers/spawn-example.js"

const sockets: Array<{ close(): void }> = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close()
  await stopAll()
})

interface Tab {
  readonly name: string
  readonly pub: Publisher
  /** Every line its SUB has received, as "nick|text". */
  readonly heard: string[]
}

/** A chat tab as the page has it: a PUB to the broker's XSUB and a SUB (to "chat") on its XPUB. */
function tab(name: string, publish: string, subscribe: string): Tab {
  const pub = new Publisher()
  const sub = new Subscriber()
  sockets.push(pub, sub)
  pub.connect(publish)
  sub.connect(subscribe)
  sub.subscribe("chat")
  const heard: string[] = []
  void (async () => {
    for await (const [, nick, text] of sub) heard.push(`${nick}|${text}`)
  })().catch(() => {}) // ends when the test closes it
  return { name, pub, heard }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`)
  }
}

/**
 * A PUB sends nothing until a subscription has come up through the proxy (the Guide's slow joiner): `from`
 * says hello every 50 ms until every tab has heard it once.
 */
async function joined(from: Tab, tabs: readonly Tab[]): Promise<void> {
  const hello = (heard: string[]): boolean => heard.some((line) => line.startsWith(`${from.name}|hello`))
  for (let n = 0; !tabs.every((t) => hello(t.heard)); n++) {
    if (n === 100) throw new Error(`${from.name}'s hello reached ${tabs.filter((t) => hello(t.heard)).map((t) => t.name)} only`)
    await from.pub.send(["chat", from.name, `hello ${n}`])
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("ws-chat (browser PUB -> XSUB == Proxy == XPUB -> browser SUB, over ws://)", () => {
  it("serves its page and relays between two tabs, then exits 0 on Ctrl-C", async () => {
    const broker = startExample("ws-chat", ["0"])
    const endpoints = await broker.waitFor(/^ws-chat broker: tabs publish to ws:\/\/\S+, subscribe at ws:\/\/\S+$/, 15_000)
    const [publish, subscribe] = [...endpoints.matchAll(/ws:\/\/[^:]+:(\d+)(\/\w+)/g)].map(([, port, path]) => `ws://127.0.0.1:${port}${path}`)
    const url = (await broker.waitFor(/^Open http:\/\/localhost:\d+\/ in two browser tabs/)).split(" ")[1]!

    const page = await fetch(url)
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>')
    const script = await fetch(new URL("/app.js", url))
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
    expect((await script.text()).length).toBeGreaterThan(10_000)

    const alice = tab("alice", publish!, subscribe!)
    const bob = tab("bob", publish!, subscribe!)
    await joined(alice, [alice, bob])
    await joined(bob, [alice, bob])
    // From now on every line reaches every tab, the sender's own included, in each sender's order.
    await bob.pub.send(["chat", "bob", "hi alice"])
    await alice.pub.send(["chat", "alice", "hi bob"])
    await bob.pub.send(["chat", "bob", "how are you?"])
    const chat = (t: Tab): string[] => t.heard.filter((line) => !line.includes("|hello "))
    await until(() => chat(alice).length >= 3 && chat(bob).length >= 3, "three lines in each tab")
    for (const t of [alice, bob]) {
      expect(chat(t).filter((l) => l.startsWith("bob|"))).toEqual(["bob|hi alice", "bob|how are you?"])
      expect(chat(t).filter((l) => l.startsWith("alice|"))).toEqual(["alice|hi bob"])
    }

    broker.signal("SIGINT")
    expect(await broker.exited()).toBe(0)
  })
})
