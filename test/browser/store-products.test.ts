// 商品管理 in real Chromium against the real app on the demo brand and the local WeChat server: an
// operator adds a category; creates a product with a photo (uploaded to the server's disk and served
// back), two SKUs and a member price for one tier level, checked in SQL; a member holding that level
// then buys it through the mini-program API and WeChat Pay at the member price; a zero price is
// refused by the server on its field and writes nothing; stock is added and a member price changed on
// the existing SKU; the product goes off sale after a confirmation; the list filters through the URL
// and fits a phone.
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { memberTiers } from '../../shared/db/schema/loyalty'
import { seedDemo } from '../../shared/demo/seed'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { makeShopper, notifyUrl, startStoreApp, type StoreApp } from '../support/store'

const PASSWORD = 'store-operator-2026'
const TITLE = '山茶花焕亮精华'
const CATEGORY = '精华液'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
let dataDir: string
let level: { id: number; name: string; ladder: string }
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}

const productRow = () =>
  one<{ id: number; title: string; status: string; images: string[]; category: string }>(sql`
    select p.id, p.title, p.status, p.images, c.name as category
    from products p join categories c on c.id = p.category_id where p.title = ${TITLE}`)

const skuRows = (productId: number) =>
  queryRows<{ id: number; spec: string; price_fen: number; cost_fen: number; stock: number }>(
    database.db,
    sql`select id, spec, price_fen, cost_fen, stock from skus where product_id = ${productId} order by id`,
  )

const memberPrices = (productId: number) =>
  queryRows<{ spec: string; level_id: number; price_fen: number }>(
    database.db,
    sql`select s.spec, m.level_id, m.price_fen from sku_member_prices m join skus s on s.id = m.sku_id
      where s.product_id = ${productId} order by s.id, m.level_id`,
  )

/** A tiny PNG: the server checks the first bytes against the declared type. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

async function choose(testId: string, option: string) {
  await page.getByTestId(testId).click()
  await page.locator('.ant-select-item-option', { hasText: option }).first().click()
}

const skuCard = (i: number) => page.getByTestId('sku-card').nth(i)
const field = (scope: ReturnType<Page['locator']>, label: string) =>
  scope.locator('.ant-form-item', { has: page.locator('label', { hasText: label }) })

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'zhoumin',
    displayName: '周敏',
    role: 'operator',
    password: PASSWORD,
  })
  level = (await one<{ id: number; name: string; ladder: string }>(sql`
    select lv.id, lv.name, ld.name as ladder from tier_levels lv join tier_ladders ld on ld.id = lv.ladder_id
    order by ld.id, lv.rank limit 1`))!
  dataDir = mkdtempSync(path.join(tmpdir(), 'store-uploads-'))
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat, { env: { DATA_DIR: dataDir } })
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('zhoumin')
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

describe('products', () => {
  it('adds a category', async () => {
    await page.getByRole('link', { name: '商品管理' }).click()
    await page.getByRole('heading', { name: '商品管理' }).waitFor()
    await page.getByTestId('product-row').first().waitFor()
    await page.getByRole('button', { name: '分类' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: '添加' }).click()
    await dialog.getByText('请填写分类名称').waitFor()
    await dialog.getByPlaceholder('新分类名称').fill(CATEGORY)
    const added = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/categories') && r.request().method() === 'POST',
    )
    await dialog.getByRole('button', { name: '添加' }).click()
    expect((await added).status()).toBe(201)
    await dialog.getByTestId('category-row').filter({ hasText: CATEGORY }).waitFor()
    expect(await one(sql`select 1 as ok from categories where name = ${CATEGORY}`)).toEqual({ ok: 1 })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
  })

  it('refuses a zero price from the server on its field and writes nothing', async () => {
    const before = await one<{ n: number }>(sql`select count(*)::int as n from products`)
    await page.getByRole('button', { name: '新增商品' }).first().click()
    const form = page.getByTestId('product-form')
    await form.getByPlaceholder('如：玻尿酸保湿精华').fill(TITLE)
    await choose('product-category', CATEGORY)
    await field(skuCard(0), '规格名').locator('input').fill('30ml')
    await field(skuCard(0), '售价（元）').locator('input').fill('0')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/products') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '创建商品' }).click()
    expect((await refused).status()).toBe(400)
    await field(skuCard(0), '售价（元）').getByText('价格必须大于 0').waitFor()
    expect(await one<{ n: number }>(sql`select count(*)::int as n from products`)).toEqual(before)
  })

  it('creates a product with a photo, two SKUs and a member price, all in the database', async () => {
    const form = page.getByTestId('product-form')
    const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/admin/uploads/images'))
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'camellia.png', mimeType: 'image/png', buffer: PNG })
    expect((await uploaded).status()).toBe(201)
    await field(skuCard(0), '售价（元）').locator('input').fill('269')
    await field(skuCard(0), '成本（元）').locator('input').fill('78.5')
    await field(skuCard(0), '库存').locator('input').fill('50')
    await skuCard(0).getByRole('button', { name: '添加会员价' }).click()
    await skuCard(0).getByTestId('member-price-row').locator('.ant-select').click()
    await page
      .locator('.ant-select-item-option', { hasText: `${level.ladder} · ${level.name}` })
      .first()
      .click()
    await skuCard(0).getByPlaceholder('会员价（元）').fill('199')

    await form.getByRole('button', { name: '添加规格' }).click()
    await field(skuCard(1), '规格名').locator('input').fill('50ml')
    await field(skuCard(1), '售价（元）').locator('input').fill('399')
    await field(skuCard(1), '成本（元）').locator('input').fill('120')
    await field(skuCard(1), '库存').locator('input').fill('20')

    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/products') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '创建商品' }).click()
    expect((await created).status()).toBe(201)
    await page.getByText('商品已创建').waitFor()
    await page.getByTestId('product-row').filter({ hasText: TITLE }).waitFor()

    const product = (await productRow())!
    expect(product).toMatchObject({ status: 'on_sale', category: CATEGORY })
    expect(product.images).toHaveLength(1)
    expect(product.images[0]).toMatch(/^\/uploads\/[0-9a-f]{32}\.png$/)
    expect(existsSync(path.join(dataDir, 'uploads', path.basename(product.images[0]!)))).toBe(true)
    const served = await fetch(app.url + product.images[0]!)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true)

    expect(await skuRows(product.id)).toMatchObject([
      { spec: '30ml', price_fen: 26900, cost_fen: 7850, stock: 50 },
      { spec: '50ml', price_fen: 39900, cost_fen: 12000, stock: 20 },
    ])
    expect(await memberPrices(product.id)).toEqual([{ spec: '30ml', level_id: level.id, price_fen: 19900 }])
    await page.screenshot({ path: screenshotPath('store-products'), fullPage: true })
  })

  it('is bought through the mini-program at the member price by a member of that level', async () => {
    const product = (await productRow())!
    const [sku30] = await skuRows(product.id)
    const shopper = await makeShopper(database.db)
    await database.db.insert(memberTiers).values({
      memberId: shopper.member.id,
      ladderId: (await one<{ ladder_id: number }>(
        sql`select ladder_id from tier_levels where id = ${level.id}`,
      ))!.ladder_id,
      levelId: level.id,
      startsAt: new Date(Date.now() - 60_000),
      source: 'test',
    })
    const shown = await app.request('GET', `/api/mp/products/${product.id}`, { token: shopper.token })
    expect(shown.body.skus[0]).toMatchObject({ priceFen: 26900, memberPriceFen: 19900 })
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId: sku30!.id, quantity: 2 }], addressId: shopper.addressId },
    })
    expect(placed.status).toBe(201)
    const orderNo = placed.body.orderNo as string
    const paying = await app.request('POST', `/api/mp/orders/${orderNo}/pay`, { token: shopper.token })
    expect(paying.status).toBe(200)
    expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(orderNo))).toBe(204)

    const order = await one<{
      status: string
      items_fen: number
      pay_fen: number
      transaction_id: string | null
    }>(sql`select status, items_fen, pay_fen, transaction_id from orders where order_no = ${orderNo}`)
    expect(order).toMatchObject({ status: 'paid', items_fen: 39800, pay_fen: 39800 })
    expect(order!.transaction_id).toBeTruthy()
    const lines = await queryRows<{
      sku_id: number
      quantity: number
      list_price_fen: number
      unit_price_fen: number
    }>(
      database.db,
      sql`select i.sku_id, i.quantity, i.list_price_fen, i.unit_price_fen from order_items i
        join orders o on o.id = i.order_id where o.order_no = ${orderNo}`,
    )
    expect(lines).toEqual([{ sku_id: sku30!.id, quantity: 2, list_price_fen: 26900, unit_price_fen: 19900 }])
    expect((await skuRows(product.id))[0]!.stock).toBe(48)
  })

  it('adds stock and changes the member price of an existing SKU', async () => {
    await page.reload()
    const row = page.getByTestId('product-row').filter({ hasText: TITLE })
    await row.getByRole('button', { name: '编辑' }).click()
    const form = page.getByTestId('product-form')
    await field(skuCard(0), '库存 48，增减').locator('input').fill('-100')
    await field(skuCard(1), '库存 20，增减').locator('input').fill('10')
    await skuCard(0).getByPlaceholder('会员价（元）').fill('189')
    const refused = page.waitForResponse((r) => /\/api\/admin\/skus\/\d+$/.test(r.url()))
    await form.getByRole('button', { name: '保存' }).click()
    expect((await refused).status()).toBe(409)
    await field(skuCard(0), '库存 48，增减').getByText('库存不足，无法减少这么多').waitFor()
    const product = (await productRow())!
    expect((await skuRows(product.id)).map((s) => s.stock)).toEqual([48, 20])

    await field(skuCard(0), '库存 48，增减').locator('input').fill('2')
    await form.getByRole('button', { name: '保存' }).click()
    await page.getByText('商品已保存').waitFor()
    expect((await skuRows(product.id)).map((s) => s.stock)).toEqual([50, 30])
    expect(await memberPrices(product.id)).toEqual([{ spec: '30ml', level_id: level.id, price_fen: 18900 }])
  })

  it('takes the product off sale after a confirmation, and filters by status through the URL', async () => {
    const row = page.getByTestId('product-row').filter({ hasText: TITLE })
    await row.getByRole('button', { name: '下架' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: '下架' }).click()
    await page.getByText('已下架').first().waitFor()
    expect((await productRow())!.status).toBe('off_sale')

    await page.goto(`${app.url}/console/products?status=off_sale`)
    await page.getByTestId('product-row').filter({ hasText: TITLE }).waitFor()
    const offSale = await one<{ n: number }>(
      sql`select count(*)::int as n from products where status = 'off_sale'`,
    )
    expect(await page.getByTestId('product-row').count()).toBe(offSale!.n)
    await page.goto(`${app.url}/console/products?q=${encodeURIComponent('不存在的商品')}`)
    await page.getByText('没有符合条件的商品').waitFor()
  })

  it('fits a phone: products as cards and the editor within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/products`)
    await page.getByTestId('product-row').first().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-products-390'), fullPage: true })
    await page.getByRole('button', { name: '新增商品' }).first().click()
    await page.getByTestId('sku-card').waitFor()
    await page.locator('[class*="ant-drawer-panel-motion"]').waitFor({ state: 'detached' })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
