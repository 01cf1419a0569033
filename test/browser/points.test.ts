// 积分商城 and 积分管理 in real Chromium. An operator creates a gift (a bad code refused on its field),
// a member redeems it, and the operator sees the redemption and marks it delivered. Then a points
// import with one bad row is refused with that row named and nothing written, the corrected file is
// imported, and the member's ledger shows the credit. Each step is read back from the database.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { redeemReward } from '../../shared/rewards/catalogue'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'points-operator-2026'
const count = (n: number) => new Intl.NumberFormat('zh-CN').format(n)

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []
/** Two members with a phone on record, the first with points enough for the gift. */
let members: { id: number; member_no: string; phone: string; balance: number }[]

async function one<T>(query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await queryRows<T>(database.db, query)
  return row!
}

const ledgerWrites = () =>
  one<{ imports: number; entries: number }>(sql`
    select (select count(*)::int from points_imports) as imports,
      (select count(*)::int from points_entries) as entries`)

const balanceOf = async (memberId: number) =>
  Number(
    (await one<{ balance: number }>(sql`select balance from points_accounts where member_id = ${memberId}`))
      .balance,
  )

async function importFile(name: string, csv: string) {
  const card = page.getByTestId('points-import')
  await card.locator('input[type=file]').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  })
  await card.getByTestId('import-file').getByText(name).waitFor()
  await card.getByRole('button', { name: '导入' }).click()
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/admin/points/imports'))
  await page.getByRole('dialog').getByRole('button', { name: '导入' }).click()
  return answered
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 60, now: new Date() })
  await createOperator(database.db, {
    username: 'wangfang',
    displayName: '王芳',
    role: 'operator',
    password: PASSWORD,
  })
  members = await queryRows(
    database.db,
    sql`select m.id, m.member_no, i.value as phone, coalesce(a.balance, 0)::int as balance
      from members m join member_identities i on i.member_id = m.id and i.kind = 'phone'
      left join points_accounts a on a.member_id = m.id
      where m.merged_into_id is null order by coalesce(a.balance, 0) desc, m.id limit 2`,
  )
  expect(members[0]!.balance).toBeGreaterThanOrEqual(800)

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('wangfang')
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

describe('积分商城', () => {
  let rewardId: number

  it('creates a gift with stock, refusing a bad code on its field', async () => {
    await page.goto(`${app.url}/console/rewards`)
    await page.getByTestId('reward-list').getByText('护手霜旅行装').waitFor()
    await page.getByRole('button', { name: '新建兑换品' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('名称').fill('保温杯 350ml')
    await dialog.getByLabel('编码').fill('Gift Cup')
    await dialog.getByLabel('所需积分').fill('800')
    await dialog.getByLabel('库存').fill('5')
    await dialog.getByLabel('每人限兑').fill('1')
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/admin/rewards'))
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await refused).status()).toBe(400)
    await dialog
      .locator('.ant-form-item', { hasText: '编码' })
      .getByText('编码只能包含小写字母、数字、下划线和连字符')
      .waitFor()
    expect(
      (await one<{ n: number }>(sql`select count(*)::int as n from rewards where name = '保温杯 350ml'`)).n,
    ).toBe(0)

    await dialog.getByLabel('编码').fill('gift-cup')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/admin/rewards'))
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await created).status()).toBe(201)
    await dialog.waitFor({ state: 'hidden' })
    const row = await one<{
      id: number
      kind: string
      points_cost: number
      stock: number
      per_member_limit: number
      active: boolean
    }>(
      sql`select id, kind, points_cost, stock, per_member_limit, active from rewards where code = 'gift-cup'`,
    )
    expect(row).toMatchObject({ kind: 'gift', points_cost: 800, stock: 5, per_member_limit: 1, active: true })
    rewardId = row.id
    await page.getByTestId('reward-list').getByText('保温杯 350ml').waitFor()
  })

  it('shows the redemption a member made, and marks it delivered after a confirmation', async () => {
    const member = members[0]!
    const r = await redeemReward(
      database.db,
      { memberId: member.id, rewardId, requestId: 'mp-redeem-0001' },
      new Date(),
    )
    expect(r.duplicate).toBe(false)
    expect((await one<{ stock: number }>(sql`select stock from rewards where id = ${rewardId}`)).stock).toBe(
      4,
    )

    const list = page.getByTestId('reward-list').locator('tr', { hasText: '保温杯 350ml' })
    await list.getByRole('button', { name: '兑换记录' }).click()
    await page.waitForURL((url) => url.searchParams.get('reward') === String(rewardId))
    const redemptions = page.getByTestId('redemptions')
    const redemption = redemptions.locator('tr.ant-table-row', { hasText: `#${member.id}` })
    await redemption.getByText('待交付').waitFor()
    await redemption.getByText('800').waitFor()
    expect(await redemptions.locator('tr.ant-table-row').count()).toBe(1)

    await redemption.getByRole('button', { name: '标记交付' }).click()
    const fulfilled = page.waitForResponse((x) => x.url().endsWith(`/redemptions/${r.redemption.id}/fulfil`))
    await page.getByRole('dialog').getByRole('button', { name: '已交付' }).click()
    expect((await fulfilled).status()).toBe(200)
    await redemption.getByText('已交付').waitFor()
    const stored = await one<{ status: string; fulfilled: boolean }>(
      sql`select status, fulfilled_at is not null as fulfilled from redemptions where id = ${r.redemption.id}`,
    )
    expect(stored).toEqual({ status: 'fulfilled', fulfilled: true })
  })
})

describe('积分管理', () => {
  it('refuses an import with a bad row, naming it, and writes nothing', async () => {
    await page.goto(`${app.url}/console/points`)
    await page.getByTestId('points-import').waitFor()
    const before = await ledgerWrites()
    const [a, b] = members
    const csv = `手机号,积分,原因\n${a!.phone},300,春季回馈\n12345,200,春季回馈\n${b!.phone},150,春季回馈\n`
    const answer = await importFile('spring-bad.csv', csv)
    expect(answer.status()).toBe(422)
    const problems = page.getByTestId('import-problems')
    await problems.getByText('有 1 行数据有误，未导入任何积分').waitFor()
    await problems.getByText(/^第 3 行.*手机号格式不正确/).waitFor()
    expect(await ledgerWrites()).toEqual(before)
    await page.screenshot({ path: screenshotPath('points-import-refused-1440'), fullPage: true })
  })

  it('imports the corrected file, and the ledger shows the credit', async () => {
    const before = await ledgerWrites()
    const [a, b] = members
    const balances = [await balanceOf(a!.id), await balanceOf(b!.id)]
    const csv = `手机号,积分,原因\n${a!.phone},300,春季回馈\n${b!.phone},150,春季回馈\n`
    const answer = await importFile('spring.csv', csv)
    expect(answer.status()).toBe(201)
    await page.getByTestId('import-result').getByText('已导入 2 行：2 位会员，合计 450 积分').waitFor()
    await expect.poll(() => page.getByTestId('import-problems').count(), { timeout: 15_000 }).toBe(0)
    expect(await ledgerWrites()).toEqual({ imports: before.imports + 1, entries: before.entries + 2 })
    expect(await balanceOf(a!.id)).toBe(balances[0]! + 300)
    expect(await balanceOf(b!.id)).toBe(balances[1]! + 150)

    const ledger = page.getByTestId('points-ledger')
    await ledger.getByPlaceholder('姓名 / 手机号 / 会员号').fill(a!.member_no)
    await ledger.getByRole('button', { name: '查找' }).click()
    await ledger.getByRole('button', { name: '查看' }).first().click()
    await ledger
      .getByTestId('points-balance')
      .getByText(count(balances[0]! + 300), { exact: true })
      .waitFor()
    await ledger.locator('tr.ant-table-row', { hasText: '春季回馈' }).getByText('+300').waitFor()
  })

  it('lists the points lapsing in the next 30 days as the ledger holds them', async () => {
    const due = await one<{ members: number; points: number }>(sql`
      select count(distinct member_id)::int as members, coalesce(sum(remaining), 0)::int as points
      from points_entries where remaining > 0 and expires_at > now() and expires_at <= now() + interval '30 days'`)
    const card = page.getByTestId('points-expiring')
    expect(due.members).toBeGreaterThan(0)
    await card.locator('.ant-statistic', { hasText: '涉及会员' }).getByText(count(due.members)).waitFor()
    await card.locator('.ant-statistic', { hasText: '将过期积分' }).getByText(count(due.points)).waitFor()
  })

  it('fits a phone: the points screens within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/points?member=${members[0]!.id}`)
    await page.getByTestId('points-balance').waitFor()
    // The ledger and the expiring list arrive after the balance: measure once the page has settled.
    await expect
      .poll(() => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'))
      .toBeLessThanOrEqual(0)
    await page.screenshot({ path: screenshotPath('points-390'), fullPage: true })
    await page.goto(`${app.url}/console/rewards`)
    await page.getByTestId('reward-list').getByText('保温杯 350ml').waitFor()
    expect(
      await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0)
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
