// 优惠券 in real Chromium against the real app, the demo brand and the local WeChat server: an operator
// creates a 满减 template (a threshold below the amount is refused by the server on its field first),
// issues it to a saved segment — one coupon to each of its members, and a second issue gives nobody
// another — then a member of the segment uses it through the mini-program API and pays, and the
// usage shows it; issuing is stopped after a confirmation. Every step checked in SQL; the state
// filter lives in the URL; the screen fits a phone.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { saveAddress } from '../../shared/orders/addresses'
import { createSavedSegment } from '../../shared/segments/saved'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { memberToken } from '../support/factories'
import { makeProduct, notifyUrl, startStoreApp, type StoreApp } from '../support/store'

const PASSWORD = 'store-coupons-2026'
const NAME = '女神节 满 300 减 50'
const SEGMENT = '女性会员'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
let women: number
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}

const template = () =>
  one<{
    id: number
    kind: string
    amount_fen: number
    threshold_fen: number
    valid_days: number
    status: string
  }>(
    sql`select id, kind, amount_fen, threshold_fen, valid_days, status from coupon_templates where name = ${NAME}`,
  )
const issuedTo = async (templateId: number) =>
  queryRows<{ member_id: number; gender: string; source: string; status: string }>(
    database.db,
    sql`select c.member_id, m.gender, c.source, c.status from member_coupons c join members m on m.id = c.member_id
      where c.template_id = ${templateId} order by c.member_id`,
  )

const field = (label: string) =>
  page
    .getByTestId('coupon-template-form')
    .locator('.ant-form-item', { has: page.locator('label', { hasText: label }) })
const row = () => page.getByTestId('coupon-row').filter({ hasText: NAME })

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'wufang',
    displayName: '吴芳',
    role: 'operator',
    password: PASSWORD,
  })
  await createSavedSegment(
    database.db,
    { name: SEGMENT, filter: { match: 'all', conditions: [{ field: 'gender', in: ['female'] }] } },
    null,
    new Date(),
  )
  women = (await one<{ n: number }>(
    sql`select count(*)::int as n from members where gender = 'female' and merged_into_id is null`,
  ))!.n
  expect(women).toBeGreaterThan(0)
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('wufang')
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
  await wechat?.close()
  await database?.close()
})

describe('coupons', () => {
  it('creates a 满减 template, after the server refuses a threshold below the amount on its field', async () => {
    await page.getByRole('link', { name: '优惠券' }).click()
    await page.getByRole('heading', { name: '优惠券' }).waitFor()
    await page.getByRole('button', { name: '新建' }).click()
    await field('名称').locator('input').fill(NAME)
    await page.getByTestId('coupon-template-form').getByText('满减', { exact: true }).click()
    await field('满（元）').locator('input').fill('40')
    await field('减（元）').locator('input').fill('50')
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/admin/coupon-templates'))
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click()
    expect((await refused).status()).toBe(400)
    await field('满（元）').getByText('满减门槛必须高于优惠金额').waitFor()
    expect(await template()).toBeUndefined()

    await field('满（元）').locator('input').fill('300')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/admin/coupon-templates'))
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click()
    expect((await created).status()).toBe(201)
    await row().waitFor()
    expect(await template()).toMatchObject({
      kind: 'threshold',
      amount_fen: 5000,
      threshold_fen: 30000,
      valid_days: 30,
      status: 'active',
    })
    await row().getByText('满 ¥300.00 减 ¥50.00').waitFor()
  })

  it('issues it to a saved segment: one coupon to each member, and a second issue gives nobody another', async () => {
    const t = (await template())!
    await row().getByRole('button', { name: '发放' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('issue-segment').click()
    await page.locator('.ant-select-item-option', { hasText: SEGMENT }).click()
    await dialog.getByText(`当前约 ${women} 人`).waitFor()
    await dialog.getByRole('button', { name: '发放' }).click()
    const issued = page.waitForResponse((r) => r.url().endsWith(`/coupon-templates/${t.id}/issue`))
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '发放' }).click()
    expect((await issued).status()).toBe(200)
    await dialog.getByText(`已发放 ${women} 张`).waitFor()
    const coupons = await issuedTo(t.id)
    expect(coupons).toHaveLength(women)
    expect(new Set(coupons.map((c) => c.member_id)).size).toBe(women)
    expect(
      coupons.every((c) => c.gender === 'female' && c.source === 'operator' && c.status === 'available'),
    ).toBe(true)
    await dialog.getByRole('button', { name: '完成' }).click()
    await row().getByText(`${women} / 不限`).waitFor()

    await row().getByRole('button', { name: '发放' }).click()
    await dialog.getByTestId('issue-segment').click()
    await page.locator('.ant-select-item-option', { hasText: SEGMENT }).click()
    await dialog.getByText(`当前约 ${women} 人`).waitFor()
    await dialog.getByRole('button', { name: '发放' }).click()
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '发放' }).click()
    await dialog.getByText('已发放 0 张').waitFor()
    await dialog.getByTestId('issue-refused').getByText('已达到该优惠券的领取上限').first().waitFor()
    expect(await issuedTo(t.id)).toHaveLength(women)
    await dialog.getByRole('button', { name: '完成' }).click()
  })

  it('shows the usage once a member of the segment has bought with it', async () => {
    const t = (await template())!
    const [holder] = await issuedTo(t.id)
    const [coupon] = await queryRows<{ id: number }>(
      database.db,
      sql`select id from member_coupons where template_id = ${t.id} and member_id = ${holder!.member_id}`,
    )
    const token = await memberToken(database.db, holder!.member_id)
    const address = await saveAddress(database.db, holder!.member_id, {
      name: '林晓',
      phone: '13900001111',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      detail: '文三路 90 号',
    })
    const { skuId } = await makeProduct(database.db, { priceFen: 32000, title: '玫瑰精油礼盒' })
    const placed = await app.request('POST', '/api/mp/orders', {
      token,
      body: { items: [{ skuId, quantity: 1 }], addressId: address.id, couponId: coupon!.id },
    })
    expect(placed.status).toBe(201)
    expect(placed.body.discountFen).toBe(5000)
    expect((await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, { token })).status).toBe(
      200,
    )
    expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(placed.body.orderNo))).toBe(204)
    expect(await one(sql`select status from member_coupons where id = ${coupon!.id}`)).toEqual({
      status: 'used',
    })

    await row().getByRole('button', { name: '使用情况' }).click()
    const usage = page.getByTestId('coupon-usage')
    await usage.waitFor()
    const cell = (label: string) => usage.locator('tr', { hasText: label }).locator('td')
    expect(await cell('已发放').textContent()).toBe(String(women))
    expect(await cell('已使用').textContent()).toBe('1')
    expect(await cell('可使用').textContent()).toBe(String(women - 1))
    expect(await cell('用券订单优惠').textContent()).toBe('¥50.00')
    expect(await cell('用券订单实付').textContent()).toBe(`¥${(placed.body.payFen / 100).toFixed(2)}`)
    await page.screenshot({ path: screenshotPath('store-coupons-usage') })
    await page.keyboard.press('Escape')
    await usage.waitFor({ state: 'detached' })
  })

  it('stops issuing after a confirmation, and filters by state through the URL', async () => {
    await row().getByRole('button', { name: '停发' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: '停发' }).click()
    await row().getByText('已停发').waitFor()
    expect((await template())!.status).toBe('disabled')
    // The demo brand may have templates of its own: 发放中 lists exactly the active ones.
    const active = (await one<{ n: number }>(
      sql`select count(*)::int as n from coupon_templates where status = 'active'`,
    ))!.n
    await page.goto(`${app.url}/console/coupons?status=active`)
    if (active === 0) await page.getByText('没有符合条件的优惠券').waitFor()
    else
      await page
        .getByTestId('coupon-row')
        .nth(Math.min(active, 20) - 1)
        .waitFor()
    expect(await page.getByTestId('coupon-row').count()).toBe(Math.min(active, 20))
    expect(await row().count()).toBe(0)
    await page.goto(`${app.url}/console/coupons?status=disabled`)
    await row().waitFor()
  })

  it('fits a phone within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/coupons`)
    await row().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-coupons-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
