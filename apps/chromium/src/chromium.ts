/**
 * Debian's Chromium (apt `chromium`, `.ci/run` installs it) driven by playwright-core: no browser download,
 * the flags the CI machine needs (no sandbox as root, no GPU, nothing that phones home).
 */
import { existsSync } from "node:fs"
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const

/** Launches Chromium; throws with what to install when it is missing (the suite must not pass by skipping). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`)
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] })
}

/**
 * A fresh page in its own context, whose console errors and uncaught exceptions are collected so a test
 * failing inside the page says why.
 */
export async function openPage(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  const errors: string[] = []
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`))
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`)
  })
  await page.goto(url)
  return { page, errors }
}
