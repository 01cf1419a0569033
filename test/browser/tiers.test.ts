// 等级体系 in real Chromium: an operator opens the paid VIP ladder, edits its rule set (raising the
// retention spend), is refused on the field left empty, dry-runs the rules on the effective date and
// reads the diff, then schedules them. The test then lets the scheduled rules take effect on that date
// and checks in SQL that what they did equals, kind by kind, the diff the operator was shown.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { memberTierHeldAt } from '../../shared/db/schema/loyalty'
import { seedDemo } from '../../shared/demo/seed'
import { runTierEvaluation } from '../../shared/tiers/evaluation'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'tiers-operator-2026'
const kinds = ['join', 'up', 'renew', 'down', 'lapse'] as const

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []
/** The effective date chosen: 45 days ahead, as YYYY-MM-DD in Beijing. */
const effectiveOn = new Date(Date.now() + 45 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)
const effectiveAt = new Date(`${effectiveOn}T00:00:00+08:00`)
/** The diff's counts as the page showed them. */
const shown: Record<string, number> = {}
let ruleSetId: number

const ruleSets = () =>
  queryRows<{ id: number; rules: { code: string; args: Record<string, unknown> }[]; effective_at: Date }>(
    database.db,
    sql`select rs.id, rs.rules, rs.effective_at from tier_rule_sets rs
      join tier_ladders l on l.id = rs.ladder_id where l.code = 'vip' order by rs.id`,
  )

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 160, now: new Date() })
  await createOperator(database.db, {
    username: 'lina',
    displayName: '李娜',
    role: 'operator',
    password: PASSWORD,
  })
  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('lina')
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

describe('a rule set edited, dry-run and scheduled', () => {
  it('shows the ladder: levels with fees, benefits and holders, and the rules in force', async () => {
    await page.goto(`${app.url}/console/tiers?ladder=vip`)
    const levels = page.getByTestId('tier-levels')
    await levels.getByText('V3 会员').waitFor()
    await levels.getByText('¥299.00').waitFor()
    const [holders] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from member_tiers join tier_ladders l on l.id = member_tiers.ladder_id
        where l.code = 'vip' and ${memberTierHeldAt(new Date())}`,
    )
    expect(holders!.n).toBeGreaterThan(0)
    await page
      .locator('.ant-descriptions-item', { hasText: '当前会员' })
      .getByText(`${holders!.n} 人`)
      .waitFor()
    await page.getByTestId('rules-in-force').getByText('保级：周期内消费满额 · 本会员周期满 ¥3,000').waitFor()
    await page.getByTestId('scheduled-rules').getByText('没有排期中的规则').waitFor()
  })

  it('refuses an empty amount on its field, then dry-runs the raised retention spend on the date', async () => {
    await page.getByRole('button', { name: '编辑规则' }).click()
    const editor = page.getByTestId('rule-set-editor')
    const rows = editor.getByTestId('rule-row')
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(5)
    const retention = rows.nth(2)
    const amount = retention.locator('.ant-form-item', { hasText: '周期内消费满' }).getByRole('spinbutton')
    expect(await amount.inputValue()).toBe('3000.00')
    await amount.fill('')

    const refused = page.waitForResponse((r) => r.url().endsWith('/tiers/vip/dry-run'))
    await editor.getByRole('button', { name: '试算' }).click()
    expect((await refused).status()).toBe(400)
    await retention
      .locator('.ant-form-item', { hasText: '周期内消费满' })
      .locator('.ant-form-item-explain-error')
      .waitFor()
    expect((await ruleSets()).length).toBe(1)

    await amount.fill('5000')
    await expect
      .poll(
        () =>
          retention
            .locator('.ant-form-item', { hasText: '周期内消费满' })
            .locator('.ant-form-item-explain-error')
            .count(),
        { timeout: 15_000 },
      )
      .toBe(0)
    const date = editor.getByPlaceholder('选择生效日期')
    await date.click()
    await date.fill(effectiveOn)
    await date.press('Enter')
    expect(await editor.getByRole('button', { name: '排期生效' }).isDisabled()).toBe(true)
    const tried = page.waitForResponse((r) => r.url().endsWith('/tiers/vip/dry-run'))
    await editor.getByRole('button', { name: '试算' }).click()
    const answer = await tried
    expect(answer.status()).toBe(200)
    const body = (await answer.request().postDataJSON()) as {
      rules: { code: string; args: { minSpendFen?: number } }[]
      at: string
    }
    expect(body.rules[2]).toEqual({
      code: 'retain_by_spend',
      args: { minSpendFen: 500_000, window: 'period' },
    })
    expect(new Date(body.at).getTime()).toBe(effectiveAt.getTime())

    const diff = page.getByTestId('dry-run')
    await diff.waitFor()
    for (const k of [...kinds, 'unchanged']) {
      shown[k] = Number(await diff.getByTestId(`dry-run-count-${k}`).getAttribute('data-count'))
    }
    const moved = kinds.reduce((n, k) => n + shown[k]!, 0)
    expect(moved).toBeGreaterThan(0)
    await diff.getByText(`全部变动 ${moved}`).waitFor()
    if (shown.down) await diff.getByText('会员周期结束，未达到保级条件').first().waitFor()
    // Nothing has changed yet.
    expect((await ruleSets()).length).toBe(1)
    await page.screenshot({ path: screenshotPath('tiers-dry-run-1440'), fullPage: true })
  })

  it('schedules the rules tried, with advance notices, after a confirmation', async () => {
    const editor = page.getByTestId('rule-set-editor')
    await editor.getByRole('button', { name: '排期生效' }).click()
    const saved = page.waitForResponse((r) => r.url().endsWith('/tiers/vip/rules'))
    await page.getByRole('dialog').getByRole('button', { name: '排期生效' }).click()
    const answer = await saved
    expect(answer.status()).toBe(201)
    const result = (await answer.json()) as { ruleSetId: number; notices: number }
    ruleSetId = result.ruleSetId

    const sets = await ruleSets()
    expect(sets.length).toBe(2)
    const scheduled = sets[1]!
    expect(scheduled.id).toBe(ruleSetId)
    expect(new Date(scheduled.effective_at).getTime()).toBe(effectiveAt.getTime())
    expect(scheduled.rules[2]).toEqual({
      code: 'retain_by_spend',
      args: { minSpendFen: 500_000, window: 'period' },
    })
    const [notices] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from tier_change_notices where rule_set_id = ${ruleSetId}`,
    )
    expect(notices!.n).toBe(result.notices)
    expect(notices!.n).toBeGreaterThan(0)

    await page
      .getByTestId('scheduled-rules')
      .getByText(new RegExp(`${effectiveOn.replaceAll('-', '/')} 生效`))
      .waitFor()
    const noticeRows = page.getByTestId('tier-notices').locator('tbody tr.ant-table-row')
    await expect.poll(() => noticeRows.count(), { timeout: 15_000 }).toBe(Math.min(10, notices!.n))
    await page.getByTestId('tier-notices').getByText('【会员规则调整通知】').first().waitFor()
  })

  it('does on the effective date exactly what the dry run showed', async () => {
    const [report] = await runTierEvaluation(database.db, effectiveAt, { ladderCode: 'vip' })
    expect(report!.ruleSetId).toBe(ruleSetId)
    const rows = await queryRows<{ kind: string; n: number }>(
      database.db,
      sql`select kind, count(*)::int as n from tier_changes where rule_set_id = ${ruleSetId} group by kind`,
    )
    const applied = Object.fromEntries(kinds.map((k) => [k, rows.find((r) => r.kind === k)?.n ?? 0]))
    expect(applied).toEqual(Object.fromEntries(kinds.map((k) => [k, shown[k]])))
    expect(report!.counts.unchanged).toBe(shown.unchanged)
    expect(report!.counts.skipped).toBe(0)
  })

  it('changes a level’s fee, multiplier and benefits, refusing a multiplier of zero on its field', async () => {
    await page.goto(`${app.url}/console/tiers?ladder=vip`)
    const v2 = page.getByTestId('tier-levels').locator('tr.ant-table-row', { hasText: 'V2 会员' })
    await v2.getByRole('button', { name: '修改' }).click()
    const dialog = page.getByRole('dialog')
    const fee = dialog.getByLabel('年费（元）')
    expect(await fee.inputValue()).toBe('199.00')
    await fee.fill('219')
    await dialog.getByLabel('积分倍率').fill('0')
    const refused = page.waitForResponse((r) => r.url().endsWith('/tiers/vip/levels/V2'))
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await refused).status()).toBe(400)
    await dialog
      .locator('.ant-form-item', { hasText: '积分倍率' })
      .locator('.ant-form-item-explain-error')
      .waitFor()
    const level = () =>
      queryRows<{
        annual_fee_fen: number
        points_multiplier_pct: number
        benefits: { code: string; quota?: number }[]
      }>(
        database.db,
        sql`select lv.annual_fee_fen, lv.points_multiplier_pct, lv.benefits from tier_levels lv
          join tier_ladders l on l.id = lv.ladder_id where l.code = 'vip' and lv.code = 'V2'`,
      )
    const [before] = await level()
    expect(before!.annual_fee_fen).toBe(19900)

    await dialog.getByLabel('积分倍率').fill('1.6')
    await dialog.getByRole('button', { name: '添加权益' }).click()
    await dialog.locator('.ant-select', { hasText: '选择权益' }).last().click()
    await page.locator('.ant-select-item-option', { hasText: '亲友体验装' }).click()
    await dialog.getByPlaceholder('每周期次数').last().fill('2')
    const saved = page.waitForResponse((r) => r.url().endsWith('/tiers/vip/levels/V2'))
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await saved).status()).toBe(200)
    await dialog.waitFor({ state: 'hidden' })
    const [after] = await level()
    expect(after!.annual_fee_fen).toBe(21900)
    expect(after!.points_multiplier_pct).toBe(160)
    expect(after!.benefits).toEqual([...before!.benefits, { code: 'friend_trial_kit', quota: 2 }])
    await v2.getByText('¥219.00').waitFor()
  })

  it('fits a phone: the ladder and its rules within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/tiers?ladder=vip`)
    await page.getByTestId('tier-levels').getByText('V3 会员').waitFor()
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: screenshotPath('tiers-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
