// 秒杀 in real Chromium against the real app and the local WeChat server: an operator creates a flash
// sale of 10 units of a SKU (more units than the SKU holds are refused first, and nothing is taken),
// its units taken out of the SKU's stock; a member buys one through the mini-program API and pays,
// and the list, refreshing itself while the sale is live, shows the unit gone and the paid order;
// the sale is ended early after a confirmation and the unsold units go back to the SKU. Every step
// checked in SQL; the state filter lives in the URL; the screen fits a phone.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { makeProduct, makeShopper, notifyUrl, startStoreApp, type StoreApp } from '../support/store'

const PASSWORD = 'store-flash-2026'
const PRODUCT = '限定樱花香氛蜡烛'
const TITLE = '周五晚 8 点樱花蜡烛秒杀'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
let skuId: number
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}
const skuStock = async () =>
  (await one<{ stock: number }>(sql`select stock from skus where id = ${skuId}`))!.stock
const sale = () =>
  one<{
    id: number
    sku_id: number
    price_fen: number
    total_stock: number
    stock_left: number
    per_member_limit: number
    ended_at: Date | null
  }>(sql`select id, sku_id, price_fen, total_stock, stock_left, per_member_limit, ended_at
    from flash_sales where title = ${TITLE}`)

const field = (label: string) =>
  page
    .getByTestId('flash-sale-form')
    .locator('.ant-form-item', { has: page.locator('label', { hasText: label }) })
const row = () => page.getByTestId('flash-sale-row').filter({ hasText: TITLE })

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'hetao',
    displayName: '何涛',
    role: 'operator',
    password: PASSWORD,
  })
  skuId = (await makeProduct(database.db, { priceFen: 16900, stock: 30, title: PRODUCT })).skuId
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('hetao')
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

describe('flash sales', () => {
  it('creates a sale of 10 units taken from the SKU, after refusing more units than the SKU holds', async () => {
    await page.getByRole('link', { name: '秒杀' }).click()
    await page.getByRole('heading', { name: '秒杀' }).waitFor()
    await page.getByRole('button', { name: '新建' }).click()
    // Choose the product until the form holds it (the SKU list is disabled until then): a click on an
    // option can land while the search answer replaces the list, and then selects nothing.
    const product = page.getByTestId('flash-product')
    const sku = page.getByTestId('flash-sku')
    await vi.waitFor(
      async () => {
        if ((await sku.getAttribute('class'))?.includes('ant-select-disabled')) {
          await product.click()
          await product.locator('input').fill('樱花')
          await page
            .locator('.ant-select-item-option', { hasText: PRODUCT })
            .first()
            .click({ timeout: 2_000 })
        }
        expect(await sku.getAttribute('class')).not.toContain('ant-select-disabled')
      },
      { timeout: 30_000, interval: 500 },
    )
    await sku.click()
    await page.locator('.ant-select-item-option', { hasText: '库存 30' }).click()
    await field('活动名称').locator('input').fill(TITLE)
    await field('秒杀价（元）').locator('input').fill('99')
    await field('秒杀数量').locator('input').fill('31')
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/admin/flash-sales'))
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click()
    expect((await refused).status()).toBe(409)
    await field('秒杀数量').getByText('商品库存不足以设置这么多秒杀数量').waitFor()
    expect(await sale()).toBeUndefined()
    expect(await skuStock()).toBe(30)

    await field('秒杀数量').locator('input').fill('10')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/admin/flash-sales'))
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click()
    expect((await created).status()).toBe(201)
    await row().waitFor()
    expect(await sale()).toMatchObject({
      price_fen: 9900,
      total_stock: 10,
      stock_left: 10,
      per_member_limit: 1,
    })
    expect(await skuStock()).toBe(20)
    await row().getByText('进行中').waitFor()
  })

  it('shows a purchase live: the unit gone and the paid order, without a reload', async () => {
    const s = (await sale())!
    const shopper = await makeShopper(database.db)
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { flashSale: { flashSaleId: s.id, quantity: 1 }, addressId: shopper.addressId },
    })
    expect(placed.status).toBe(201)
    expect(placed.body.itemsFen).toBe(9900)
    expect(
      (await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, { token: shopper.token }))
        .status,
    ).toBe(200)
    expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(placed.body.orderNo))).toBe(204)
    expect((await sale())!.stock_left).toBe(9)

    // The list refreshes itself while the sale is live.
    await row().getByTestId('flash-sold').getByText('1 / 10').waitFor({ timeout: 15_000 })
    await row()
      .getByTestId('flash-results')
      .getByText(`1 单 · 1 人 · ¥${(placed.body.payFen / 100).toFixed(2)}`)
      .waitFor()
    await page.screenshot({ path: screenshotPath('store-flash-sales'), fullPage: true })
  })

  it('ends the sale early after a confirmation: the unsold units go back to the SKU', async () => {
    await row().getByRole('button', { name: '结束' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: '结束' }).click()
    await row().getByText('已结束').waitFor()
    expect((await sale())!.ended_at).not.toBeNull()
    expect(await skuStock()).toBe(29)
    // The demo brand may have a sale of its own selling now: 进行中 lists exactly those.
    const selling = (await one<{ n: number }>(sql`select count(*)::int as n from flash_sales
      where ended_at is null and starts_at <= now() and ends_at > now() and stock_left > 0`))!.n
    await page.goto(`${app.url}/console/flash-sales?state=selling`)
    if (selling === 0) await page.getByText('没有符合条件的秒杀').waitFor()
    else
      await page
        .getByTestId('flash-sale-row')
        .nth(selling - 1)
        .waitFor()
    expect(await page.getByTestId('flash-sale-row').count()).toBe(selling)
    expect(await row().count()).toBe(0)
    await page.goto(`${app.url}/console/flash-sales?state=ended`)
    await row().waitFor()
  })

  it('fits a phone within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/flash-sales`)
    await row().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-flash-sales-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
