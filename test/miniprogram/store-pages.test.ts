// The store's pages in the mini-program simulator against the real app (the local WeChat server logs
// members in and takes payments): every page renders the demo brand's data and, when its request
// fails, the error with a retry; a visitor browses, adds to the cart, checks out and pays, and the
// order page shows 已支付; a group buy is opened and its share page shows the progress.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { orders } from '../../shared/db/schema/orders'
import { groupBuyGroups } from '../../shared/db/schema/marketing'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { notifyUrl, startStoreApp, type StoreApp } from '../support/store'
import { buildMiniprogram, installPhone, openPage, type Phone } from '../support/miniprogram'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let build: ReturnType<typeof buildMiniprogram>
let phone: Phone
const callbacks: number[] = []

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 20, now: new Date() })
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  build = buildMiniprogram()
  phone = installPhone(app.url)
  phone.loginCode = () => wechat.loginCode({ openid: 'o-simulated-shopper' })
  // The member pays in WeChat: the trade succeeds and WeChat Pay sends its signed callback.
  phone.pay = async ({ package: pkg }) => {
    const prepayId = pkg.replace(/^prepay_id=/, '')
    const trade = [...wechat.pay.trades.values()].find((t) => t.prepay_id === prepayId)
    if (!trade) throw new Error(`no trade for ${pkg}`)
    callbacks.push(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(trade.out_trade_no)))
  }
})
afterAll(async () => {
  build?.remove()
  await app?.close()
  await wechat?.close()
  await database?.close()
})
beforeEach(() => {
  phone.failRequests = null
  phone.recorded.navigations.length = 0
})

/** Open a page whose first request fails, check the error and retry, then check it loads. */
async function expectErrorThenRetry(page: string, failing: RegExp, query: Record<string, string> = {}) {
  phone.failRequests = failing
  const view = openPage(build.root, page, query)
  await phone.idle()
  expect(view.exists('.state.error'), `${page} shows its error`).toBe(true)
  expect(view.textOf('.error-message')).toBe('网络异常，请检查网络后重试')
  phone.failRequests = null
  await view.tap('.retry')
  await phone.idle()
  expect(view.exists('.state.error')).toBe(false)
  expect(view.exists('.state.loading')).toBe(false)
  return view
}

const lastNavigation = () => phone.recorded.navigations.at(-1)?.url ?? ''
const queryOf = (url: string) => Object.fromEntries(new URL(url, 'https://mp.invalid').searchParams)

describe('browse → cart → checkout → pay', () => {
  it('lets a visitor browse the catalogue, and buys once the member acts', async () => {
    phone.storage.clear()
    const home = openPage(build.root, 'pages/index/index')
    await phone.idle()
    expect(home.count('.card')).toBeGreaterThan(0)
    expect(phone.recorded.requests.some((r) => r.url === '/api/mp/login')).toBe(false)
    await home.tap('.card')
    const productUrl = lastNavigation()
    expect(productUrl).toMatch(/^\/pages\/product\/product\?id=\d+$/)

    const product = openPage(build.root, 'pages/product/product', queryOf(productUrl))
    await phone.idle()
    const title = product.textOf('.title')
    expect(title.length).toBeGreaterThan(0)
    expect(product.text()).toContain('开通会员，享会员价')
    await product.tap('.add')
    await phone.idle()
    expect(phone.recorded.toasts.at(-1)).toBe('已加入购物车')

    const cart = openPage(build.root, 'pages/cart/cart')
    await phone.idle()
    expect(cart.text()).toContain(title)
    await cart.tap('.settle')
    const checkoutUrl = lastNavigation()
    expect(checkoutUrl).toMatch(/^\/pages\/checkout\/checkout\?fromCart=1&items=/)

    const checkout = openPage(build.root, 'pages/checkout/checkout', {
      fromCart: '1',
      items: checkoutUrl.split('items=')[1]!,
    })
    await phone.idle()
    expect(checkout.text()).toContain('还没有收货地址')
    await checkout.tap('.use-wechat-address')
    await phone.idle()
    expect(checkout.text()).toContain('南京西路 1266 号')
    const pay = checkout.instance.data.quote.pay as string
    expect(checkout.textOf('.bar')).toContain(pay)
    await checkout.tap('.submit')
    await phone.idle()
    expect(callbacks.at(-1)).toBe(204)
    const detailUrl = lastNavigation()
    expect(detailUrl).toMatch(/^\/packages\/order\/detail\/detail\?orderNo=\w+&paid=1$/)
    const { orderNo } = queryOf(detailUrl)
    const [row] = await database.db.select().from(orders).where(eq(orders.orderNo, orderNo!))
    expect(row!.status).toBe('paid')

    const detail = openPage(build.root, 'packages/order/detail/detail', queryOf(detailUrl))
    await phone.idle()
    expect(detail.textOf('.paid')).toMatch(/^已支付 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(detail.text()).toContain(title)
    expect(detail.textOf('.pay')).toBe(pay)

    const list = openPage(build.root, 'pages/orders/orders')
    await phone.idle()
    expect(list.text()).toContain(orderNo)
    expect(list.text()).toContain('待发货')
    // The cart bought from is empty again.
    const after = openPage(build.root, 'pages/cart/cart')
    await phone.idle()
    expect(after.exists('.state.empty')).toBe(true)
  })
})

describe('flash sales and group buys', () => {
  it('lists the flash sale a visitor can buy', async () => {
    const page = openPage(build.root, 'packages/promo/flash-sales/flash-sales')
    await phone.idle()
    expect(page.count('.sale')).toBe(1)
    expect(page.text()).toMatch(/每人限 \d+ 件/)
  })

  it('opens a group, pays, and the share page shows the progress', async () => {
    const list = openPage(build.root, 'packages/promo/group-buys/group-buys')
    await phone.idle()
    expect(list.count('.campaign')).toBe(1)
    await list.tap('.open')
    const checkoutUrl = lastNavigation()
    expect(checkoutUrl).toMatch(/^\/pages\/checkout\/checkout\?groupBuy=/)
    const checkout = openPage(build.root, 'pages/checkout/checkout', {
      groupBuy: checkoutUrl.split('groupBuy=')[1]!,
    })
    await phone.idle()
    expect(checkout.instance.data.quote).not.toBeNull()
    await checkout.tap('.submit')
    await phone.idle()
    const { orderNo } = queryOf(lastNavigation())
    const [row] = await database.db.select().from(orders).where(eq(orders.orderNo, orderNo!))
    expect(row!.status).toBe('paid')
    expect(row!.groupBuyGroupId).not.toBeNull()

    // The paid order links to its group's share page by the group's share code.
    const detail = openPage(build.root, 'packages/order/detail/detail', { orderNo: orderNo! })
    await phone.idle()
    await detail.tap('.group-button')
    const groupUrl = lastNavigation()
    const [groupRow] = await database.db
      .select({ code: groupBuyGroups.shareCode })
      .from(groupBuyGroups)
      .where(eq(groupBuyGroups.id, row!.groupBuyGroupId!))
    expect(groupUrl).toBe(`/packages/promo/group/group?code=${groupRow!.code}`)
    const group = openPage(build.root, 'packages/promo/group/group', queryOf(groupUrl))
    await phone.idle()
    expect(group.textOf('.progress')).toMatch(/^1\/\d+ 人已参团，还差 \d+ 人$/)
    expect(group.count('.member')).toBe(1)
  })
})

describe('each store page shows its error with a retry', () => {
  it('home', () =>
    expectErrorThenRetry('pages/index/index', /\/products$/).then((v) =>
      expect(v.count('.card')).toBeGreaterThan(0),
    ))
  it('product', async () => {
    const id = String(
      ((await app.request('GET', '/api/mp/products')).body as { items: { id: number }[] }).items[0]!.id,
    )
    const view = await expectErrorThenRetry('pages/product/product', /\/products\/\d+$/, { id })
    expect(view.count('.sku')).toBeGreaterThan(0)
  })
  it('cart', () =>
    expectErrorThenRetry('pages/cart/cart', /\/cart$/).then((v) =>
      expect(v.exists('.state.empty')).toBe(true),
    ))
  it('checkout', async () => {
    const id = ((await app.request('GET', '/api/mp/products')).body as { items: { id: number }[] }).items[0]!
      .id
    const detail = (await app.request('GET', `/api/mp/products/${id}`)).body as { skus: { id: number }[] }
    const items = encodeURIComponent(JSON.stringify([{ skuId: detail.skus[0]!.id, quantity: 1 }]))
    const view = await expectErrorThenRetry('pages/checkout/checkout', /\/addresses$/, { items })
    expect(view.textOf('.bar')).toMatch(/实付\s*¥\d+\.\d{2}/)
    // A failing price preview shows its own error and recalculates on demand.
    phone.failRequests = /\/orders\/preview$/
    view.instance.onPointsSwitch({ detail: { value: true } })
    await phone.idle()
    expect(view.textOf('.quote-error .error-message')).toBe('网络异常，请检查网络后重试')
    phone.failRequests = null
    await view.tap('.retry-quote')
    await phone.idle()
    expect(view.exists('.quote-error')).toBe(false)
  })
  it('orders', () =>
    expectErrorThenRetry('pages/orders/orders', /\/orders$/).then((v) =>
      expect(v.count('.order')).toBeGreaterThan(0),
    ))
  it('order detail', async () => {
    const mine = (await openOrders())[0]!
    const view = await expectErrorThenRetry('packages/order/detail/detail', /\/orders\/\w+$/, {
      orderNo: mine,
    })
    expect(view.exists('.paid')).toBe(true)
  })
  it('flash sales', () =>
    expectErrorThenRetry('packages/promo/flash-sales/flash-sales', /\/flash-sales$/).then((v) =>
      expect(v.count('.sale')).toBe(1),
    ))
  it('group buys', () =>
    expectErrorThenRetry('packages/promo/group-buys/group-buys', /\/group-buys$/).then((v) =>
      expect(v.count('.campaign')).toBe(1),
    ))
  it('group', async () => {
    const [opened] = await database.db.select({ code: groupBuyGroups.shareCode }).from(groupBuyGroups)
    const view = await expectErrorThenRetry('packages/promo/group/group', /\/groups\/[\w-]{12}$/, {
      code: opened!.code,
    })
    expect(view.exists('.progress')).toBe(true)
  })
})

/** The simulated member's order numbers, newest first (read through the app like the page does). */
async function openOrders(): Promise<string[]> {
  const token = phone.storage.get('memberToken') as string
  const res = await app.request('GET', '/api/mp/orders', { token })
  return (res.body as { items: { orderNo: string }[] }).items.map((o) => o.orderNo)
}
