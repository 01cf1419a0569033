// 订单管理 in real Chromium against the real app, the demo brand and the local WeChat server (its
// WeChat Pay half included): a member buys through the mini-program API and pays; an administrator
// finds the order by its number, ships it (a malformed tracking number is refused on its field
// first), which also uploads the shipping info to WeChat; then refunds part of it after a
// confirmation, through WeChat Pay, settled by WeChat's callback — each step checked in SQL. Filters
// live in the URL, and the list and the detail fit a phone.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import {
  makeProduct,
  makeShopper,
  notifyUrl,
  refundNotifyUrl,
  startStoreApp,
  type StoreApp,
} from '../support/store'

const PASSWORD = 'store-admin-2026'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
let orderNo: string
let skuId: number
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}

const orderRow = () =>
  one<{
    status: string
    pay_fen: number
    refunded_fen: number
    shipping_company: string | null
    tracking_no: string | null
    transaction_id: string
  }>(sql`select status, pay_fen, refunded_fen, shipping_company, tracking_no, transaction_id
    from orders where order_no = ${orderNo}`)

const refunds = () =>
  queryRows<{
    out_refund_no: string
    amount_fen: number
    status: string
    reason: string
    requested_by: string
  }>(
    database.db,
    sql`select r.out_refund_no, r.amount_fen, r.status, r.reason, r.requested_by from order_refunds r
      join orders o on o.id = r.order_id where o.order_no = ${orderNo} order by r.id`,
  )

const drawer = () => page.getByTestId('order-detail')
const field = (form: string, label: string) =>
  page.getByTestId(form).locator('.ant-form-item', { has: page.locator('label', { hasText: label }) })

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'sunli',
    displayName: '孙丽',
    role: 'admin',
    password: PASSWORD,
  })
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)

  // A member buys two units at ¥159 through the mini-program and pays with WeChat Pay.
  const shopper = await makeShopper(database.db)
  skuId = (await makeProduct(database.db, { priceFen: 15900, stock: 10, title: '竹炭净透洁面乳' })).skuId
  const placed = await app.request('POST', '/api/mp/orders', {
    token: shopper.token,
    body: { items: [{ skuId, quantity: 2 }], addressId: shopper.addressId },
  })
  expect(placed.status).toBe(201)
  orderNo = placed.body.orderNo
  expect((await app.request('POST', `/api/mp/orders/${orderNo}/pay`, { token: shopper.token })).status).toBe(
    200,
  )
  expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(orderNo))).toBe(204)
  expect(await orderRow()).toMatchObject({ status: 'paid', pay_fen: 31800 })

  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('sunli')
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

describe('orders', () => {
  it('finds the order by its number, the search kept in the URL', async () => {
    await page.getByRole('link', { name: '订单管理' }).click()
    await page.getByRole('heading', { name: '订单管理' }).waitFor()
    await page.getByTestId('order-row').first().waitFor()
    await page.getByPlaceholder('订单号 / 会员号 / 会员姓名').fill(orderNo)
    const searched = page.waitForResponse((r) => r.url().includes(`/api/admin/orders?q=${orderNo}`))
    await page.getByPlaceholder('订单号 / 会员号 / 会员姓名').press('Enter')
    await page.waitForURL((url) => url.searchParams.get('q') === orderNo)
    expect((await searched).status()).toBe(200)
    const rows = page.getByTestId('order-row')
    await rows.filter({ hasText: '竹炭净透洁面乳' }).waitFor()
    expect(await rows.count()).toBe(1)
    await rows.first().getByText('待发货').waitFor()
  })

  it('ships the order: a bad tracking number is refused on its field, then it is shipped and sent to WeChat', async () => {
    await page.getByTestId('order-row').first().click()
    await drawer().getByText('竹炭净透洁面乳').waitFor()
    await field('ship-form', '快递公司').locator('input').fill('顺丰速运')
    await field('ship-form', '运单号').locator('input').fill('SF 12')
    const refused = page.waitForResponse((r) => r.url().endsWith('/ship'))
    await page.getByRole('button', { name: '确认发货' }).click()
    expect((await refused).status()).toBe(400)
    await field('ship-form', '运单号').getByText('运单号格式不正确').waitFor()
    expect(await orderRow()).toMatchObject({ status: 'paid', tracking_no: null })

    await field('ship-form', '运单号').locator('input').fill('SF1234567890')
    const shipped = page.waitForResponse((r) => r.url().endsWith('/ship'))
    await page.getByRole('button', { name: '确认发货' }).click()
    expect((await shipped).status()).toBe(200)
    await page.getByText('已发货，并已同步到微信').waitFor()
    await drawer().getByText('顺丰速运 SF1234567890').waitFor()
    const order = (await orderRow())!
    expect(order).toMatchObject({
      status: 'shipped',
      shipping_company: '顺丰速运',
      tracking_no: 'SF1234567890',
    })
    expect(wechat.shippingUploads).toHaveLength(1)
    expect(wechat.shippingUploads[0]).toMatchObject({
      order_key: { transaction_id: order.transaction_id },
      shipping_list: [{ tracking_no: 'SF1234567890', express_company: '顺丰速运' }],
    })
  })

  it('refunds part of the order after a confirmation, through WeChat Pay, settled by its callback', async () => {
    const amount = field('refund-form', '退款金额（元）').locator('input')
    await amount.fill('400')
    await field('refund-form', '退款原因').locator('input').fill('少发一件')
    await drawer().getByRole('button', { name: '退款' }).click()
    await field('refund-form', '退款金额（元）').getByText('不能超过 ¥318.00').waitFor()

    await amount.fill('159')
    await drawer().getByRole('button', { name: '退款' }).click()
    const confirm = page.locator('.ant-modal-confirm')
    await confirm.locator('.ant-modal-confirm-title', { hasText: '确认退款 ¥159.00？' }).waitFor()
    // Cancelling sends nothing.
    await confirm.getByRole('button', { name: '取消' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await refunds()).toEqual([])

    await drawer().getByRole('button', { name: '退款' }).click()
    const requested = page.waitForResponse((r) => r.url().endsWith('/refund'))
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '确认退款' }).click()
    expect((await requested).status()).toBe(200)
    await page.getByText('退款已提交微信支付').waitFor()
    const [refund] = await refunds()
    expect(refund).toMatchObject({ amount_fen: 15900, status: 'processing', reason: '少发一件' })
    expect(refund!.requested_by).toMatch(/^operator:\d+$/)
    expect(wechat.pay.refunds.get(refund!.out_refund_no)).toMatchObject({ refund: 15900, total: 31800 })
    await drawer().getByText('退款中').waitFor()

    expect(
      await wechat.pay.deliver(refundNotifyUrl(app), wechat.pay.completeRefund(refund!.out_refund_no)),
    ).toBe(204)
    expect(await refunds()).toMatchObject([{ amount_fen: 15900, status: 'success' }])
    expect(await orderRow()).toMatchObject({ status: 'shipped', refunded_fen: 15900 })

    await page.locator('.ant-drawer-close').click()
    await drawer().waitFor({ state: 'detached' })
    await page.getByRole('button', { name: '刷新' }).click()
    await page.getByTestId('order-row').first().getByText('已退 ¥159.00').waitFor()
    await page.screenshot({ path: screenshotPath('store-orders'), fullPage: true })
  })

  it('filters by status through the URL', async () => {
    await page.goto(`${app.url}/console/orders?status=shipped`)
    await page.getByTestId('order-row').first().waitFor()
    const shipped = await one<{ n: number }>(
      sql`select count(*)::int as n from orders where status = 'shipped'`,
    )
    expect(await page.getByTestId('order-row').count()).toBe(Math.min(20, shipped!.n))
    await page.getByTestId('order-row').filter({ hasText: '竹炭净透洁面乳' }).waitFor()
    await page.goto(`${app.url}/console/orders?status=pending&q=${orderNo}`)
    await page.getByText('没有符合条件的订单').waitFor()
  })

  it('fits a phone: orders as cards and the detail within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/orders?q=${orderNo}`)
    await page.getByTestId('order-row').first().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.getByTestId('order-row').first().click()
    await drawer().getByText('竹炭净透洁面乳').waitFor()
    await page.locator('[class*="ant-drawer-panel-motion"]').waitFor({ state: 'detached' })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-orders-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
