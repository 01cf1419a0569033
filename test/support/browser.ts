// Debian's Chromium, headless, through playwright-core; screenshots land in a folder outside git.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const screenshotDir = path.resolve('node_modules/.cache/super-user-ops/screenshots')

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/**
 * Turns every Content-Security-Policy violation into an uncaught page error, which every browser test
 * already fails on: a style, script, font or image the CSP blocks breaks the test, not only the page.
 */
const CSP_WATCH = `document.addEventListener('securitypolicyviolation', (e) => {
  setTimeout(() => { throw new Error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')) })
})`

/** A fresh profile (no stored login) in Shanghai time, as an operator in China sees the console. */
export async function operatorContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  })
  await context.addInitScript(CSP_WATCH)
  return context
}

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true })
  return path.join(screenshotDir, `${name}.png`)
}
