// 权益与限次 in real Chromium: the report of benefit use over a date range equals SQL over the uses
// recorded; a benefit's uses list the member who used it; and that member's benefits show the
// period's quota, what is used and what is left, as the quota service counts them.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { memberBenefits, useBenefit } from '../../shared/benefits/quotas'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'benefits-operator-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []
let member: { id: number; member_no: string; name: string | null }
let benefit: { code: string; name: string }

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 60, now })
  await createOperator(database.db, {
    username: 'zhaolei',
    displayName: '赵磊',
    role: 'operator',
    password: PASSWORD,
  })
  const candidates = await queryRows<{ id: number; member_no: string; name: string | null }>(
    database.db,
    sql`select m.id, m.member_no, m.name from members m
      where m.merged_into_id is null and exists (select 1 from member_tiers mt where mt.member_id = m.id
        and mt.starts_at <= now() and (mt.ends_at is null or mt.ends_at > now()))
      order by m.id`,
  )
  for (const c of candidates) {
    const held = (await memberBenefits(database.db, c.id, now)).find(
      (b) => b.kind === 'quota' && (b.remaining ?? 0) >= 2,
    )
    if (held) {
      member = c
      benefit = { code: held.code, name: held.name }
      break
    }
  }
  expect(member).toBeDefined()
  for (const requestId of ['desk-use-0001', 'desk-use-0002'])
    await useBenefit(
      database.db,
      { memberId: member.id, benefitCode: benefit.code, requestId, note: '到店使用' },
      now,
    )

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('zhaolei')
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => /^\/console\/?$/.test(url.pathname))
})

afterEach(() => {
  expect(pageErrors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await database?.close()
})

describe('benefits and quotas', () => {
  it('reports each benefit’s use this year as SQL counts it', async () => {
    await page.goto(`${app.url}/console/benefits`)
    const report = page.getByTestId('benefit-report')
    await report.getByText(benefit.name, { exact: true }).waitFor()
    const sums = await queryRows<{ name: string; uses: number; members: number }>(
      database.db,
      sql`select b.name, count(u.id)::int as uses, count(distinct u.member_id)::int as members
        from benefits b left join benefit_usages u on u.benefit_id = b.id
          and u.used_at >= date_trunc('year', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'
        group by b.id, b.name order by b.id`,
    )
    const ours = sums.find((s) => s.name === benefit.name)!
    expect(ours.uses).toBeGreaterThanOrEqual(2)
    for (const s of sums) {
      const row = report.locator('tr.ant-table-row', { has: page.getByText(s.name, { exact: true }) })
      const cells = await row.locator('td').allInnerTexts()
      expect([cells[3], cells[4]]).toEqual([String(s.uses), String(s.members)])
    }
  })

  it('lists a benefit’s uses with the member, and shows that member’s quota used and left', async () => {
    const report = page.getByTestId('benefit-report')
    const row = report.locator('tr.ant-table-row', { has: page.getByText(benefit.name, { exact: true }) })
    await row.getByRole('button', { name: '使用记录' }).click()
    const uses = page.getByTestId('benefit-uses')
    const mine = uses.locator('tr.ant-table-row', { hasText: member.member_no })
    await expect.poll(() => mine.count(), { timeout: 15_000 }).toBe(2)
    await mine.first().getByText('到店使用').waitFor()

    await mine.first().getByText(member.member_no).click()
    await page.waitForURL((url) => url.searchParams.get('member') === String(member.id))
    const held = (await memberBenefits(database.db, member.id, new Date())).find(
      (b) => b.code === benefit.code,
    )!
    expect(held.used).toBeGreaterThanOrEqual(2)
    const line = page
      .getByTestId('member-benefits')
      .locator('tr.ant-table-row', { has: page.getByText(benefit.name, { exact: true }) })
    await line.getByText(`已用 ${held.used} / ${held.quota}，剩余 ${held.remaining}`).waitFor()
    await page.screenshot({ path: screenshotPath('benefits-1440'), fullPage: true })
  })

  it('fits a phone: the report within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/benefits`)
    await page.getByTestId('benefit-report').getByText(benefit.name, { exact: true }).waitFor()
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: screenshotPath('benefits-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
