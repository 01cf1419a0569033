// 拼团 in real Chromium against the real app and the local WeChat server: an operator creates a
// two-person group buy of a SKU, checked in SQL; a leader opens a group through the
// mini-program API and pays, a friend joins and pays, and the list — refreshing itself while the
// campaign is live — shows the group formed and the two paid orders; its groups are watched in a
// drawer; the screen fits a phone.
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

const PASSWORD = 'store-group-2026'
const PRODUCT = '两人同行保湿套装'
const TITLE = '两人成团 保湿套装'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
  const [row] = await queryRows<T>(database.db, query)
  return row
}
const campaign = () =>
  one<{ id: number; group_price_fen: number; group_size: number; fill_minutes: number }>(
    sql`select id, group_price_fen, group_size, fill_minutes from group_buys where title = ${TITLE}`,
  )
const field = (label: string) =>
  page
    .getByTestId('group-buy-form')
    .locator('.ant-form-item', { has: page.locator('label', { hasText: label }) })
const row = () => page.getByTestId('group-buy-row').filter({ hasText: TITLE })

async function orderAndPay(
  shopper: Awaited<ReturnType<typeof makeShopper>>,
  groupBuyId: number,
  groupId?: number,
) {
  const placed = await app.request('POST', '/api/mp/orders', {
    token: shopper.token,
    body: { groupBuy: { groupBuyId, ...(groupId ? { groupId } : {}) }, addressId: shopper.addressId },
  })
  expect(placed.status).toBe(201)
  expect(
    (await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, { token: shopper.token })).status,
  ).toBe(200)
  expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(placed.body.orderNo))).toBe(204)
  return placed.body as { groupBuyGroupId: number; payFen: number }
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'luming',
    displayName: '陆鸣',
    role: 'operator',
    password: PASSWORD,
  })
  await makeProduct(database.db, { priceFen: 25900, stock: 30, title: PRODUCT })
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('luming')
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

describe('group buys', () => {
  it('creates a two-person group buy of a SKU', async () => {
    await page.getByRole('link', { name: '拼团' }).click()
    await page.getByRole('heading', { name: '拼团' }).waitFor()
    await page.getByRole('button', { name: '新建' }).click()
    // Choose the product until the form holds it (the SKU list is disabled until then): a click on an
    // option can land while the search answer replaces the list, and then selects nothing.
    const product = page.getByTestId('group-product')
    const sku = page.getByTestId('group-sku')
    await vi.waitFor(
      async () => {
        if ((await sku.getAttribute('class'))?.includes('ant-select-disabled')) {
          await product.click()
          await product.locator('input').fill('保湿套装')
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
    await field('拼团价（元）').locator('input').fill('199')
    await field('成团时限（小时）').locator('input').fill('12')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/admin/group-buys'))
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click()
    expect((await created).status()).toBe(201)
    await row().waitFor()
    expect(await campaign()).toMatchObject({ group_price_fen: 19900, group_size: 2, fill_minutes: 720 })
    await row().getByText('进行中').waitFor()
  })

  it('shows a group formed and its paid orders live, and the groups in the drawer', async () => {
    const c = (await campaign())!
    const [leader, friend] = await Promise.all([makeShopper(database.db), makeShopper(database.db)])
    const opened = await orderAndPay(leader, c.id)
    const joined = await orderAndPay(friend, c.id, opened.groupBuyGroupId)
    expect(
      await one(sql`select status, paid_count from group_buy_groups where id = ${opened.groupBuyGroupId}`),
    ).toEqual({
      status: 'succeeded',
      paid_count: 2,
    })
    // The list refreshes itself while the campaign is live.
    await row().getByTestId('group-counts').getByText('已成团 1').waitFor({ timeout: 15_000 })
    await row()
      .getByTestId('group-results')
      .getByText(`2 单 · ¥${((opened.payFen + joined.payFen) / 100).toFixed(2)}`)
      .waitFor()

    await row().getByRole('button', { name: '查看团' }).click()
    const groups = page.getByTestId('group-row')
    await groups.first().getByText('已成团').waitFor()
    expect(await groups.count()).toBe(1)
    await groups.first().getByText('2 已付 / 2 占位 / 2').waitFor()
    await page.screenshot({ path: screenshotPath('store-group-buys'), fullPage: true })
    await page.locator('.ant-drawer-close').click()
    await groups.first().waitFor({ state: 'detached' })
  })

  it('fits a phone within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/group-buys`)
    await row().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('store-group-buys-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
