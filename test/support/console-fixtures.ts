// What every browser test of the console shares: the operators seeded into the template (one per
// role), signing in through the login page, database reads, the 390 px overflow check, and the
// screenshots at both widths.
import { sql, type SQL } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { OperatorRole } from '../../shared/db/schema/auth'
import { queryRows, type Database } from '../../shared/db/client'
import { startTestApp, type TestApp } from './app'
import { launchChromium, operatorContext, screenshotPath } from './browser'
import { testDatabase } from './db'

export const SEEDED_MEMBERS = 240
export const PASSWORD = 'console-pass-2026'

export const consoleOperators: Record<
  OperatorRole,
  { username: string; displayName: string; role: OperatorRole; password: string }
> = {
  admin: { username: 'wangqiang', displayName: '王强', role: 'admin', password: PASSWORD },
  operator: { username: 'chenjing', displayName: '陈静', role: 'operator', password: PASSWORD },
  staff: { username: 'lina', displayName: '李娜', role: 'staff', password: PASSWORD },
  finance: { username: 'zhaomin', displayName: '赵敏', role: 'finance', password: PASSWORD },
  advisor: { username: 'liuyang', displayName: '刘洋', role: 'advisor', password: PASSWORD },
}

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1440, height: 900 }

export interface ConsoleRig {
  database: Database
  app: TestApp
  browser: Browser
  /** Uncaught errors in any page: each is a failure, whatever the test was checking. */
  pageErrors: string[]
  rows<T>(query: SQL): Promise<T[]>
  one<T>(query: SQL): Promise<T>
  /** A signed-in page in a fresh profile. */
  signedIn(role: OperatorRole, viewport?: { width: number; height: number }): Promise<Page>
  close(): Promise<void>
}

export async function consoleRig(): Promise<ConsoleRig> {
  const database = await testDatabase()
  const app = await startTestApp(database)
  const browser = await launchChromium()
  const pageErrors: string[] = []
  const contexts: BrowserContext[] = []
  const rows = <T>(query: SQL) => queryRows<T>(database.db, query)
  return {
    database,
    app,
    browser,
    pageErrors,
    rows,
    async one<T>(query: SQL) {
      const [row] = await rows<T>(query)
      if (!row) throw new Error('the query found no row')
      return row
    },
    async signedIn(role, viewport = DESKTOP) {
      const context = await operatorContext(browser)
      contexts.push(context)
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.on('pageerror', (err) => pageErrors.push(err.message))
      await page.goto(`${app.url}/console/login`)
      await signIn(page, consoleOperators[role].username, PASSWORD)
      await page.getByTestId('operator-name').waitFor()
      return page
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {})
      await browser.close()
      await app.close()
      await database.close()
    },
  }
}

export async function signIn(page: Page, username: string, password: string) {
  await page.getByPlaceholder('用户名').fill(username)
  await page.getByPlaceholder('密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
}

/**
 * Elements sticking out past the right edge of the viewport, outside any container that scrolls or
 * clips them (a wide table inside its own scroller is fine); the page itself must not scroll sideways.
 */
export async function overflowing(page: Page): Promise<string[]> {
  // A string, run in the page: the server's tsconfig has no DOM types.
  return page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth
    const out = []
    if (document.documentElement.scrollWidth > width + 1)
      out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width)
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true
      }
      return false
    }
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (r.right > width + 1 && !clipped(el))
        out.push(el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40) + ' right=' +
          Math.round(r.right) + ' "' + (el.textContent || '').trim().slice(0, 30) + '"')
    }
    return out.slice(0, 10)
  })()`)
}

/** Screenshots of the page as it is at 1440 and at 390 px wide; at 390 nothing may overflow. */
export async function bothWidths(page: Page, name: string) {
  const before = page.viewportSize()
  await page.setViewportSize(DESKTOP)
  await page.screenshot({ path: screenshotPath(`${name}-1440`), fullPage: true })
  await page.setViewportSize(PHONE)
  // The layout answers the new width on the next frame.
  await page.waitForFunction('document.documentElement.clientWidth <= 390')
  await page.waitForFunction("!document.querySelector('.ant-layout-sider')")
  expect(await overflowing(page)).toEqual([])
  await page.screenshot({ path: screenshotPath(`${name}-390`), fullPage: true })
  if (before) await page.setViewportSize(before)
}

export { sql }

/**
 * Picks the option of an antd Select by its visible text (typed first when the select searches),
 * and waits for the dropdown to close so it cannot swallow the next click.
 */
export async function choose(page: Page, testId: string, option: string, options: { type?: boolean } = {}) {
  await page.getByTestId(testId).click()
  if (options.type) await page.keyboard.type(option)
  const dropdown = page.locator('.ant-select-dropdown:visible').first()
  await dropdown.locator('.ant-select-item-option', { hasText: option }).first().click()
  // A single select closes on the click; should it stay open, moving the focus on closes it
  // (Escape would close the modal around it too).
  await dropdown.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => page.keyboard.press('Tab'))
  await dropdown.waitFor({ state: 'hidden' })
}
