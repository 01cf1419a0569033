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

/** A fresh profile (no stored login) in Shanghai time, as an operator in China sees the console. */
export function operatorContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  })
}

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true })
  return path.join(screenshotDir, `${name}.png`)
}
