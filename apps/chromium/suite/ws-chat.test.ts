/**
 * `pnpm example ws-chat` with two real pages: started by its one command, the URL it prints opened in two
 * Chromium tabs, which chat through the broker (each tab's PUB and SUB over ws://, bare ZWS2.0) by typing
 * into the page as a person would; each page's status line follows its SUB's monitor events.
 */
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchChromium, openPage } from "../src/chromium.js"
import { afterThisTest } from "../src/cleanup.js"
import { startWsChat } from "../src/ws-chat-process.js"

let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

async function tab(url: string, nick: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, url)
  afterThisTest(() => opened.page.context().close())
  await opened.page.locator("#nick").fill(nick)
  return opened
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator("#text").fill(text)
  await page.locator("#text").press("Enter")
}

const lines = (page: Page): Promise<string[]> => page.locator("#log li").allTextContents()

/** Types hellos into `from` until `to` shows one (a PUB sends nothing before a subscription reaches it). */
async function joined(from: Page, to: Page, nick: string): Promise<void> {
  for (let n = 0; n < 50; n++) {
    await say(from, `hello ${n}`)
    const shown = await to
      .locator("#log li", { hasText: `${nick}: hello` })
      .first()
      .waitFor({ timeout: 200 })
      .then(() => true, () => false)
    if (shown) return
  }
  throw new Error(`${nick}'s hello never showed in the other tab`)
}

describe("ws-chat in two Chromium tabs", () => {
  it("what one tab types shows in both, in order; when the broker stops, both say so", async () => {
    const chat = await startWsChat()
    const url = chat.url
    const alice = await tab(url, "alice")
    const bob = await tab(url, "bob")
    for (const { page } of [alice, bob]) await page.locator("#status", { hasText: "connected to localhost" }).waitFor({ timeout: 5000 })
    await joined(alice.page, bob.page, "alice")
    await joined(bob.page, alice.page, "bob")

    await say(alice.page, "hi bob")
    await say(bob.page, "hi alice")
    await say(alice.page, "how are you?")
    for (const { page } of [alice, bob]) {
      await page.locator("#log li", { hasText: "alice: how are you?" }).waitFor({ timeout: 5000 })
      await page.locator("#log li", { hasText: "bob: hi alice" }).waitFor({ timeout: 5000 })
      const chat = (await lines(page)).filter((line) => !line.includes(": hello "))
      expect(chat.filter((line) => line.startsWith("alice: "))).toEqual(["alice: hi bob", "alice: how are you?"])
      expect(chat.filter((line) => line.startsWith("bob: "))).toEqual(["bob: hi alice"])
    }
    expect([...alice.errors, ...bob.errors]).toEqual([])

    // Ctrl-C on the broker: each page's SUB reports the disconnect (a monitor event in the browser).
    chat.interrupt()
    for (const { page } of [alice, bob]) await page.locator("#status", { hasText: "disconnected" }).waitFor({ timeout: 5000 })
  })
})
