// 收银台 in real Chromium against the real app and the seeded demo brand, as store staff: sign-in lands
// on the till (staff have no dashboard); a malformed phone is refused on the search box and an unknown
// one shows 未找到会员; the member found by phone shows their number, levels, points and tags; a
// benefit is used once, into benefit_usages, and the remaining count drops; a purchase without an
// amount, with 0 or with a bad receipt number is refused on its field and writes nothing; a purchase
// is recorded with its order, its points and the new balance, and the same receipt again only once;
// the till fits a phone's width.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { memberBenefits } from '../../shared/benefits/quotas'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { createStore } from '../../shared/stores/purchases'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'till-staff-2026'
const STORE = '静安嘉里中心店'
const RECEIPT = 'R20260518-0042'
const count = (n: number) => new Intl.NumberFormat('zh-CN').format(n)

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let staffId: number
let storeId: number
/** The member at the till: has a phone and a benefit counted per use with at least three uses left. */
let member: { id: number; member_no: string; phone: string; name: string | null }
let benefit: { code: string; name: string; remaining: number }
/** POST /api/admin/store-purchases the page sent: a refusal in the form itself sends none. */
let purchasePosts = 0
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

/** Rows the till may write: a failed or refused action must leave all of them as they were. */
const writes = async () =>
  (await one<{ usages: number; purchases: number; orders: number; entries: number }>(sql`
    select (select count(*)::int from benefit_usages) as usages,
      (select count(*)::int from store_purchases) as purchases,
      (select count(*)::int from orders) as orders,
      (select count(*)::int from points_entries) as entries`))!

const search = async (keyword: string) => {
  const input = page.getByPlaceholder('手机号 / 会员号 / 会员卡号')
  await input.fill(keyword)
  const answered = page.waitForResponse((r) => r.url().includes('/api/admin/till/lookup'))
  await page.getByRole('button', { name: '查询' }).click()
  return answered
}

const searchItem = () => page.locator('.ant-form-item', { has: page.getByLabel('手机号或会员码') })
const purchase = () => page.getByTestId('till-purchase')
const purchaseField = (label: string) => purchase().locator('.ant-form-item', { hasText: label })

async function chooseStore(name: string) {
  await purchase().getByTestId('till-store').click()
  await page.locator('.ant-select-item-option', { hasText: name }).first().click()
}

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 240, now })
  storeId = (await createStore(database.db, { name: STORE, city: '上海' })).id
  await createStore(database.db, { name: '湖滨银泰店', city: '杭州' })
  staffId = (
    await createOperator(database.db, {
      username: 'wanglei',
      displayName: '王磊',
      role: 'staff',
      password: PASSWORD,
    })
  ).id

  const candidates = await queryRows<{ id: number; member_no: string; phone: string; name: string | null }>(
    database.db,
    sql`select m.id, m.member_no, i.value as phone, m.name from members m
      join member_identities i on i.member_id = m.id and i.kind = 'phone'
      where m.merged_into_id is null
        and exists (select 1 from member_tiers mt where mt.member_id = m.id and mt.starts_at <= now()
          and (mt.ends_at is null or mt.ends_at > now()))
      order by m.id`,
  )
  for (const c of candidates) {
    const held = (await memberBenefits(database.db, c.id, now)).find(
      (b) => b.kind === 'quota' && (b.remaining ?? 0) >= 3,
    )
    if (held) {
      member = c
      benefit = { code: held.code, name: held.name, remaining: held.remaining! }
      break
    }
  }
  expect(member).toBeDefined()

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/admin/store-purchases')) purchasePosts++
  })
})

afterEach(() => {
  expect(pageErrors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await database?.close()
})

describe('till', () => {
  it('signs staff in straight onto the till: no dashboard, only what staff may use', async () => {
    await page.goto(`${app.url}/console/login`)
    await page.getByPlaceholder('用户名').fill('wanglei')
    await page.getByPlaceholder('密码').fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/console/till')
    await page.getByRole('heading', { name: '收银台' }).waitFor()
    await page.getByText('输入会员手机号，或扫描 / 输入会员号、会员卡号开始').waitFor()
    expect(await page.getByRole('link', { name: '数据看板' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: '会员列表' }).count()).toBe(0)
  })

  it('refuses an empty and a malformed phone on the search box, and says 未找到会员 for an unknown one', async () => {
    const before = await writes()
    await page.getByRole('button', { name: '查询' }).click()
    await searchItem().getByText('请输入手机号或会员码').waitFor()

    const malformed = await search('12345678901')
    expect(malformed.status()).toBe(400)
    await searchItem().getByText('手机号格式不正确').waitFor()

    const unknown = await search('13000000000')
    expect(unknown.status()).toBe(404)
    await page.getByTestId('till-not-found').getByText('未找到会员').waitFor()
    await page.getByText('「13000000000」').waitFor()
    await searchItem().getByText('手机号格式不正确').waitFor({ state: 'detached' })
    expect(await page.getByTestId('till-member').count()).toBe(0)
    expect(await writes()).toEqual(before)
  })

  it('finds the member by phone with their number, levels, points and tags', async () => {
    const found = await search(member.phone)
    expect(found.status()).toBe(200)
    const card = page.getByTestId('till-member')
    await card.getByTestId('till-member-no').getByText(member.member_no).waitFor()
    if (member.name) await card.getByText(member.name).first().waitFor()
    await card
      .getByTestId('till-points')
      .getByText(count(await balanceOf(member.id)), { exact: true })
      .waitFor()

    const levels = await queryRows<{ ladder: string; level: string }>(
      database.db,
      sql`select d.name as ladder, l.name as level from member_tiers mt
        join tier_ladders d on d.id = mt.ladder_id join tier_levels l on l.id = mt.level_id
        where mt.member_id = ${member.id} and mt.starts_at <= now() and (mt.ends_at is null or mt.ends_at > now())`,
    )
    expect(levels.length).toBeGreaterThan(0)
    for (const l of levels)
      await card.getByTestId('till-tiers').getByText(`${l.ladder}：${l.level}`).waitFor()

    const tags = await queryRows<{ dimension: string; tag: string }>(
      database.db,
      sql`select d.name as dimension, t.name as tag from member_tags mt join tags t on t.id = mt.tag_id
        join tag_dimensions d on d.id = t.dimension_id where mt.member_id = ${member.id}`,
    )
    if (tags.length)
      for (const t of tags)
        await card.getByTestId('till-tags').getByText(`${t.dimension}：${t.tag}`).waitFor()
    else await card.getByText('暂无标签').waitFor()

    // Also by member number, typed in lower case as a scanner or a clerk might.
    const byCode = await search(member.member_no.toLowerCase())
    expect(byCode.status()).toBe(200)
    await card.getByTestId('till-member-no').getByText(member.member_no).waitFor()
  })

  it('uses a benefit once, into the database, and shows the remaining count', async () => {
    const item = page.locator(`[data-testid="till-benefit"][data-code="${benefit.code}"]`)
    await item.getByText(`剩余 ${benefit.remaining} 次`).waitFor()
    const before = await writes()

    await item.getByRole('button', { name: '核销' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText(`核销后剩余 ${benefit.remaining - 1} 次`).waitFor()
    await dialog.getByPlaceholder('选填，如 到店护肤指导').fill('到店护肤指导')
    const used = page.waitForResponse((r) => r.url().endsWith('/api/admin/benefits/uses'))
    await dialog.getByRole('button', { name: '确认核销' }).click()
    expect((await used).status()).toBe(201)
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText(`已核销「${benefit.name}」`).waitFor()
    await item.getByText(`剩余 ${benefit.remaining - 1} 次`).waitFor()

    const rows = await queryRows<{
      operator_id: number
      note: string
      request_id: string
      period_key: string
    }>(
      database.db,
      sql`select u.operator_id, u.note, u.request_id, u.period_key from benefit_usages u
        join benefits b on b.id = u.benefit_id where u.member_id = ${member.id} and b.code = ${benefit.code}
        order by u.id`,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ operator_id: staffId, note: '到店护肤指导' })
    expect(rows[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await writes()).toEqual({ ...before, usages: before.usages + 1 })

    // A second use is a new form, so a new request id: counted again.
    await item.getByRole('button', { name: '核销' }).click()
    await dialog.getByRole('button', { name: '确认核销' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await item.getByText(`剩余 ${benefit.remaining - 2} 次`).waitFor()
    const ids = await queryRows<{ request_id: string }>(
      database.db,
      sql`select u.request_id from benefit_usages u join benefits b on b.id = u.benefit_id
        where u.member_id = ${member.id} and b.code = ${benefit.code}`,
    )
    expect(new Set(ids.map((r) => r.request_id)).size).toBe(2)
  })

  it('refuses a purchase without an amount, with 0 or with a bad receipt number, and writes nothing', async () => {
    const before = await writes()
    const balance = await balanceOf(member.id)
    await chooseStore(STORE)

    await purchase().getByRole('button', { name: '登记消费' }).click()
    await purchaseField('消费金额').getByText('请输入消费金额').waitFor()

    await purchase().getByPlaceholder('如 128.00').fill('0')
    await purchase().getByRole('button', { name: '登记消费' }).click()
    await purchaseField('消费金额').getByText('消费金额须大于 0').waitFor()
    expect(purchasePosts).toBe(0)

    // The server's own rule, on the field it names.
    await purchase().getByPlaceholder('如 128.00').fill('88')
    await purchase().getByPlaceholder('选填，不填则自动生成').fill('小票#1')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/store-purchases') && r.request().method() === 'POST',
    )
    await purchase().getByRole('button', { name: '登记消费' }).click()
    expect((await refused).status()).toBe(400)
    await purchaseField('小票号').getByText('小票号只能包含字母、数字和 - _ /').waitFor()
    // The amount is valid now: its error leaves (after antd's fade-out), only the receipt's remains.
    await purchaseField('消费金额').getByText('消费金额须大于 0').waitFor({ state: 'detached' })

    expect(await writes()).toEqual(before)
    expect(await balanceOf(member.id)).toBe(balance)
  })

  it('records a purchase with its order and points, shows the new balance, and the same receipt only once', async () => {
    const before = await writes()
    const balance = await balanceOf(member.id)
    await purchase().getByPlaceholder('如 128.00').fill('268.5')
    await purchase().getByPlaceholder('选填，不填则自动生成').fill(RECEIPT)
    const recorded = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/store-purchases') && r.request().method() === 'POST',
    )
    await purchase().getByRole('button', { name: '登记消费' }).click()
    const answer = await recorded
    expect(answer.status()).toBe(201)
    const { orderNo } = (await answer.json()) as { orderNo: string }

    const stored = await one<{
      store_id: number
      member_id: number
      amount_fen: number
      source: string
      recorded_by: string
      channel: string
      pay_fen: number
      paid: boolean
    }>(sql`select p.store_id, p.member_id, p.amount_fen, p.source, p.recorded_by, o.channel, o.pay_fen,
        o.paid_at is not null as paid
      from store_purchases p join orders o on o.id = p.order_id
      where p.receipt_no = ${RECEIPT}`)
    expect(stored).toEqual({
      store_id: storeId,
      member_id: member.id,
      amount_fen: 26850,
      source: 'till',
      recorded_by: `operator:${staffId}`,
      channel: 'store',
      pay_fen: 26850,
      paid: true,
    })
    const earned = await one<{ kind: string; amount: number }>(
      sql`select kind, amount from points_entries where source_key = ${`order:${orderNo}:earn`}`,
    )
    expect(earned?.kind).toBe('earn')
    expect(earned!.amount).toBeGreaterThanOrEqual(268)
    const after = await balanceOf(member.id)
    expect(after).toBe(balance + earned!.amount)

    const result = page.getByTestId('purchase-result')
    await result.getByText('已登记消费 ¥268.50').waitFor()
    await result.getByText(`积分余额 ${count(balance)} → ${count(after)}`).waitFor()
    await page.getByTestId('till-points').getByText(count(after), { exact: true }).waitFor()
    const now = await writes()
    expect(now.purchases).toBe(before.purchases + 1)
    expect(now.orders).toBe(before.orders + 1)

    // The same receipt again (a second tap, a retry): recorded once, and the clerk is told so.
    await purchase().getByPlaceholder('如 128.00').fill('268.5')
    await purchase().getByPlaceholder('选填，不填则自动生成').fill(RECEIPT)
    const again = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/store-purchases') && r.request().method() === 'POST',
    )
    await purchase().getByRole('button', { name: '登记消费' }).click()
    expect((await again).status()).toBe(201)
    await result.getByText(`小票 ${RECEIPT} 已登记过，本次未重复计入`).waitFor()
    expect(await writes()).toEqual(now)
    expect(await balanceOf(member.id)).toBe(after)
  })

  it('fits a phone: the till, the member and its dialogs stay within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.getByRole('heading', { name: '收银台' }).waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await search(member.phone)
    await page.getByTestId('till-member-no').getByText(member.member_no).waitFor()
    await page.getByTestId('till-benefit').first().waitFor()
    await purchase().getByTestId('till-store').waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('till-390'), fullPage: true })
    const item = page.locator(`[data-testid="till-benefit"][data-code="${benefit.code}"]`)
    await item.getByRole('button', { name: '核销' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '确认核销' }).waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click()
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
