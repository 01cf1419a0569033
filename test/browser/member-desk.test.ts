// The member desk in real Chromium against the real app and the seeded demo brand: an operator opens a
// member, edits the profile, grants points with a reason (a blank reason refused on its field), moves
// the member to a tier level and back out, tags and untags them, and reads each change back both on the
// page and in the database; the record fits a phone's width.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'member-desk-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let operatorId: number
/** The member the operator works on: one without a 成长等级 level and without the 香氛 interest. */
let member: { id: number; member_no: string }
/** Uncaught errors in the page: any is a failure, whatever the test was checking. */
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}

const balanceOf = async (memberId: number) =>
  Number(
    (await one<{ balance: number }>(sql`select balance from points_accounts where member_id = ${memberId}`))
      ?.balance ?? 0,
  )

/** The level of the 成长等级 ladder the member holds now, if any. */
const spendLevelOf = (memberId: number) =>
  one<{ code: string; ends_at: Date | null }>(sql`
    select l.code, mt.ends_at from member_tiers mt
    join tier_ladders d on d.id = mt.ladder_id join tier_levels l on l.id = mt.level_id
    where mt.member_id = ${memberId} and d.code = 'spend' and mt.starts_at <= now()
      and (mt.ends_at is null or mt.ends_at > now())`)

const tagsOf = async (memberId: number) =>
  (
    await queryRows<{ name: string; operator_id: number | null }>(
      database.db,
      sql`select t.name, mt.operator_id from member_tags mt join tags t on t.id = mt.tag_id
        where mt.member_id = ${memberId} order by t.name`,
    )
  ).map((r) => r.name)

/** Picks an option of the antd Select marked with a test id inside the open dialog. */
async function choose(testId: string, option: string) {
  await page.getByRole('dialog').getByTestId(testId).click()
  await page.locator('.ant-select-item-option', { hasText: option }).first().click()
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 240, now: new Date() })
  operatorId = (
    await createOperator(database.db, {
      username: 'chenjing',
      displayName: '陈静',
      role: 'operator',
      password: PASSWORD,
    })
  ).id
  member = (await one<{ id: number; member_no: string }>(sql`
    select m.id, m.member_no from members m
    where m.merged_into_id is null
      and not exists (select 1 from member_tiers mt join tier_ladders d on d.id = mt.ladder_id
        where mt.member_id = m.id and d.code = 'spend')
      and not exists (select 1 from member_tags mt join tags t on t.id = mt.tag_id
        where mt.member_id = m.id and t.name = '香氛')
    order by m.id limit 1`))!
  expect(member).toBeDefined()

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('chenjing')
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

describe('member desk', () => {
  it('edits the profile and shows what the database now holds', async () => {
    await page.goto(`${app.url}/console/members/${member.id}`)
    await page.getByTestId('member-no').getByText(member.member_no).waitFor()
    await page.getByRole('button', { name: '编辑资料' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByPlaceholder('如 上海').fill('杭州')
    await dialog.getByPlaceholder('如 教师').fill('瑜伽教练')
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.getByText('资料已保存').waitFor()
    await dialog.waitFor({ state: 'hidden' })

    const stored = await one<{ city: string; occupation: string }>(
      sql`select city, occupation from members where id = ${member.id}`,
    )
    expect(stored).toEqual({ city: '杭州', occupation: '瑜伽教练' })
    const facts = page.locator('.ant-descriptions')
    await facts.getByText('瑜伽教练').waitFor()
    expect(await facts.first().innerText()).toContain('杭州')
  })

  it('refuses a blank reason on its field, then grants points once into the ledger', async () => {
    const before = await balanceOf(member.id)
    await page.getByRole('button', { name: '调整积分' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByPlaceholder('如 200').fill('300')
    // Only spaces: the form lets it through and the server refuses it, on the reason's field.
    await dialog.getByPlaceholder('如 客诉补偿、活动奖励').fill('   ')
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/admin/points/adjustments'))
    await dialog.getByRole('button', { name: '确认调整' }).click()
    expect((await refused).status()).toBe(400)
    const reasonItem = dialog.locator('.ant-form-item', { hasText: '调整原因' })
    await reasonItem.getByText('请填写调整原因').waitFor()
    expect(await balanceOf(member.id)).toBe(before)

    await dialog.getByPlaceholder('如 客诉补偿、活动奖励').fill('客诉补偿')
    await dialog.getByRole('button', { name: '确认调整' }).click()
    await page
      .getByText(`积分已调整，当前余额 ${new Intl.NumberFormat('zh-CN').format(before + 300)}`)
      .waitFor()
    expect(await balanceOf(member.id)).toBe(before + 300)
    const entries = await queryRows<{ kind: string; amount: number; reason: string }>(
      database.db,
      sql`select kind, amount, reason from points_entries where member_id = ${member.id} and kind = 'adjust'`,
    )
    expect(entries).toEqual([{ kind: 'adjust', amount: 300, reason: '人工调整：客诉补偿' }])
    await page
      .getByTestId('member-points')
      .getByText(new Intl.NumberFormat('zh-CN').format(before + 300))
      .waitFor()
  })

  it('moves the member to a tier level with a reason, then out of the ladder again', async () => {
    await page.getByRole('button', { name: '调整等级' }).click()
    const dialog = page.getByRole('dialog')
    await choose('tier-ladder', '成长等级')
    await choose('tier-level', '金卡会员')
    await dialog.getByPlaceholder('如 老客户关怀、补录线下年费').fill('老客户关怀')
    await dialog.getByRole('button', { name: '确认调整' }).click()
    await page.getByText('等级已调整').first().waitFor()
    await page.getByTestId('member-tiers').getByText('金卡会员').waitFor()
    expect((await spendLevelOf(member.id))?.code).toBe('gold')
    const change = await one<{ kind: string; reason: string }>(sql`
      select c.kind, c.reason from tier_changes c join tier_ladders d on d.id = c.ladder_id
      where c.member_id = ${member.id} and d.code = 'spend' order by c.id desc limit 1`)
    expect(change?.reason).toBe('老客户关怀')

    await page.getByRole('button', { name: '调整等级' }).click()
    await choose('tier-ladder', '成长等级')
    await dialog.getByText('当前：金卡会员').waitFor()
    await choose('tier-level', '移出该体系')
    await dialog.getByPlaceholder('如 老客户关怀、补录线下年费').fill('误操作撤回')
    await dialog.getByRole('button', { name: '确认调整' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByTestId('member-tiers').getByText('金卡会员').waitFor({ state: 'detached' })
    expect(await spendLevelOf(member.id)).toBeUndefined()
    const changes = await queryRows<{ reason: string }>(
      database.db,
      sql`select c.reason from tier_changes c join tier_ladders d on d.id = c.ladder_id
        where c.member_id = ${member.id} and d.code = 'spend' order by c.id`,
    )
    expect(changes.map((c) => c.reason)).toEqual(['老客户关怀', '误操作撤回'])
  })

  it('tags the member from the taxonomy and takes the tag off again', async () => {
    const tags = page.getByTestId('member-tags')
    await tags.getByRole('button', { name: '添加标签' }).click()
    await page.getByTestId('tag-picker').locator('input').fill('香氛')
    await page.locator('.ant-select-item-option', { hasText: '兴趣：香氛' }).click()
    await tags.getByText('兴趣：香氛').waitFor()
    expect(await tagsOf(member.id)).toContain('香氛')
    const [row] = await queryRows<{ operator_id: number | null }>(
      database.db,
      sql`select mt.operator_id from member_tags mt join tags t on t.id = mt.tag_id
        where mt.member_id = ${member.id} and t.name = '香氛'`,
    )
    expect(row?.operator_id).toBe(operatorId)
    // What the operator did shows in the member's timeline too.
    await page.getByTestId('member-timeline').getByText('香氛').first().waitFor()

    await tags.locator('.ant-tag', { hasText: '兴趣：香氛' }).locator('.ant-tag-close-icon').click()
    await page.getByRole('dialog').getByRole('button', { name: '去掉' }).click()
    await tags.getByText('兴趣：香氛').waitFor({ state: 'detached' })
    expect(await tagsOf(member.id)).not.toContain('香氛')
  })

  it('fits a phone: the record and its dialogs stay within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.getByTestId('member-no').getByText(member.member_no).waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('member-desk-390'), fullPage: true })
    await page.getByRole('button', { name: '调整积分' }).click()
    await page.getByRole('dialog').getByPlaceholder('如 200').waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click()
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
