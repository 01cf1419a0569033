// 售后申请 in real Chromium against the real app and the local WeChat server: two members buy and pay
// through the mini-program API and each asks for after-sale (one refund of one of two units, with a
// photo; one refund of the whole order). A finance operator approves the first after a confirmation
// — its refund recorded and submitted to WeChat Pay for the item's share — and refuses the second,
// which needs a note first; each decision checked in SQL. The tabs live in the URL and the screen
// fits a phone.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { operatorToken } from '../support/factories'
import { makeProduct, makeShopper, notifyUrl, startStoreApp, type StoreApp } from '../support/store'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const PASSWORD = 'store-finance-2026'
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
/** Two units bought, one asked back (with a photo). */
let partial: { orderNo: string; requestId: number }
/** The whole order asked back. */
let whole: { orderNo: string; requestId: number }
const pageErrors: string[] = []

const requestRow = (id: number) =>
  queryRows<{
    status: string
    amount_fen: number
    decision_note: string | null
    out_refund_no: string | null
  }>(
    database.db,
    sql`select status, amount_fen, decision_note, out_refund_no from after_sale_requests where id = ${id}`,
  ).then((rows) => rows[0]!)

const refundsOf = (orderNo: string) =>
  queryRows<{ out_refund_no: string; amount_fen: number; status: string }>(
    database.db,
    sql`select r.out_refund_no, r.amount_fen, r.status from order_refunds r join orders o on o.id = r.order_id
      where o.order_no = ${orderNo}`,
  )

async function buyAndAsk(quantity: number, askFor: number, reason: string, photos: string[]) {
  const shopper = await makeShopper(database.db)
  const { skuId } = await makeProduct(database.db, { priceFen: 12900, stock: 10, title: '舒缓修护面膜' })
  const placed = await app.request('POST', '/api/mp/orders', {
    token: shopper.token,
    body: { items: [{ skuId, quantity }], addressId: shopper.addressId },
  })
  expect(placed.status).toBe(201)
  const orderNo = placed.body.orderNo as string
  expect((await app.request('POST', `/api/mp/orders/${orderNo}/pay`, { token: shopper.token })).status).toBe(
    200,
  )
  expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(orderNo))).toBe(204)
  const asked = await app.request('POST', '/api/mp/after-sales', {
    token: shopper.token,
    body: {
      orderNo,
      kind: 'refund',
      reason,
      photos,
      items: [{ orderItemId: placed.body.items[0].id, quantity: askFor }],
    },
  })
  expect(asked.status).toBe(201)
  return { orderNo, requestId: asked.body.id as number }
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'qianhui',
    displayName: '钱慧',
    role: 'finance',
    password: PASSWORD,
  })
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat, {
    env: { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'after-sale-photos-')) },
  })
  const photo = await fetch(`${app.url}/api/admin/uploads/images`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Bearer ${await operatorToken(database.db)}` },
    body: PNG,
  })
  const photoUrl = `${app.url}${((await photo.json()) as { url: string }).url}`
  partial = await buyAndAsk(2, 1, '其中一盒包装破损', [photoUrl])
  whole = await buyAndAsk(1, 1, '不想要了，还没拆封', [])

  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('qianhui')
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

const row = (orderNo: string) => page.getByTestId('after-sale-row').filter({ hasText: orderNo })
const detail = () => page.getByTestId('after-sale-detail')

describe('after-sale', () => {
  it('approves a refund of one of two units after a confirmation: recorded and sent to WeChat Pay', async () => {
    await page.getByRole('link', { name: '售后申请' }).click()
    await page.getByRole('heading', { name: '售后申请' }).waitFor()
    expect(await page.getByTestId('after-sale-row').count()).toBe(2)
    await row(partial.orderNo).click()
    await detail().getByText('其中一盒包装破损').waitFor()
    await detail().getByText('舒缓修护面膜 · 30ml').waitFor()
    await detail().getByRole('img', { name: '售后照片' }).waitFor()
    expect(await requestRow(partial.requestId)).toMatchObject({ status: 'requested', amount_fen: 12900 })

    await detail().getByRole('button', { name: '同意并退款' }).click()
    const confirm = page.locator('.ant-modal-confirm')
    await confirm.locator('.ant-modal-confirm-title', { hasText: '同意并退款 ¥129.00？' }).waitFor()
    const decided = page.waitForResponse((r) =>
      r.url().endsWith(`/after-sales/${partial.requestId}/decision`),
    )
    await confirm.getByRole('button', { name: '同意并退款' }).click()
    expect((await decided).status()).toBe(200)
    await page.getByText('已同意，退款已提交微信支付').waitFor()
    await row(partial.orderNo).waitFor({ state: 'detached' })

    const request = await requestRow(partial.requestId)
    expect(request.status).toBe('approved')
    const refunds = await refundsOf(partial.orderNo)
    expect(refunds).toEqual([
      { out_refund_no: request.out_refund_no, amount_fen: 12900, status: 'processing' },
    ])
    expect(wechat.pay.refunds.get(request.out_refund_no!)).toMatchObject({ refund: 12900 })
  })

  it('refuses the other only with a note, after a confirmation', async () => {
    await row(whole.orderNo).click()
    await detail().getByText('不想要了，还没拆封').waitFor()
    await detail().getByRole('button', { name: '拒绝' }).click()
    await detail().getByText('拒绝时请写明原因，会员能看到').waitFor()
    expect((await requestRow(whole.requestId)).status).toBe('requested')

    await page.getByTestId('after-sale-note').fill('已超出无理由退货范围，请联系顾问')
    await detail().getByRole('button', { name: '拒绝' }).click()
    const decided = page.waitForResponse((r) => r.url().endsWith(`/after-sales/${whole.requestId}/decision`))
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '拒绝' }).click()
    expect((await decided).status()).toBe(200)
    await page.getByText('没有待处理的售后申请').waitFor()
    expect(await requestRow(whole.requestId)).toMatchObject({
      status: 'refused',
      decision_note: '已超出无理由退货范围，请联系顾问',
      out_refund_no: null,
    })
    expect(await refundsOf(whole.orderNo)).toEqual([])
  })

  it('keeps the tab in the URL: the decided requests under 已同意 and 已拒绝', async () => {
    await page.getByRole('tab', { name: '已同意' }).click()
    await page.waitForURL((url) => url.searchParams.get('status') === 'approved')
    await row(partial.orderNo).waitFor()
    await page.goto(`${app.url}/console/after-sales?status=refused`)
    await row(whole.orderNo).waitFor()
    expect(await page.getByTestId('after-sale-row').count()).toBe(1)
    await page.screenshot({ path: screenshotPath('store-after-sales'), fullPage: true })
  })

  it('fits a phone: requests as cards and the detail within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/after-sales?status=approved`)
    await row(partial.orderNo).click()
    await detail().getByText('其中一盒包装破损').waitFor()
    await page.locator('[class*="ant-drawer-panel-motion"]').waitFor({ state: 'detached' })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-after-sales-390') })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
