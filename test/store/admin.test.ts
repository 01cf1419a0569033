// The operators' store: catalogue CRUD with member prices and stock, order list and filters, coupon
// templates and issuing (idempotent by batch), points redemption, and the mini-program catalogue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../shared/db/client'
import { grantPoints, pointsBalance } from '../../shared/points/ledger'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { operatorToken } from '../support/factories'
import { makeCategory, makeLevels, makeShopper, startStoreApp, type StoreApp } from '../support/store'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let op: string

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  op = await operatorToken(database.db)
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

describe('catalogue for operators and shoppers', () => {
  it('creates a product with SKUs and member prices, changes stock by a delta, lists and searches it', async () => {
    const { v1 } = await makeLevels(database.db)
    const category = await makeCategory(database.db, '香氛')
    const created = await app.request('POST', '/api/admin/products', {
      token: op,
      body: {
        categoryId: category.id,
        title: '白茶淡香水',
        images: ['/static/perfume.jpg'],
        skus: [
          { spec: '50ml', priceFen: 45900, stock: 10, memberPrices: [{ levelId: v1.id, priceFen: 41900 }] },
          { spec: '100ml', priceFen: 69900, stock: 0 },
        ],
      },
    })
    expect(created.status).toBe(201)
    expect(created.body.skus[0].memberPrices).toEqual([{ levelId: v1.id, priceFen: 41900 }])
    const skuId = created.body.skus[1].id
    const more = await app.request('PATCH', `/api/admin/skus/${skuId}`, {
      token: op,
      body: { stockDelta: 5 },
    })
    expect(more.body.skus[1].stock).toBe(5)
    const tooFew = await app.request('PATCH', `/api/admin/skus/${skuId}`, {
      token: op,
      body: { stockDelta: -6 },
    })
    expect(tooFew.status).toBe(409)
    const badLevel = await app.request('PATCH', `/api/admin/skus/${skuId}`, {
      token: op,
      body: { memberPrices: [{ levelId: 987654, priceFen: 100 }] },
    })
    expect(badLevel.status).toBe(400)
    const noSku = await app.request('POST', '/api/admin/products', {
      token: op,
      body: { categoryId: category.id, title: 'x', skus: [] },
    })
    expect(noSku.status).toBe(400)

    const shopper = await makeShopper(database.db)
    const found = await app.request(
      'GET',
      `/api/mp/products?q=${encodeURIComponent('白茶')}&categoryId=${category.id}`,
      { token: shopper.token },
    )
    expect(found.status).toBe(200)
    expect(found.body.total).toBe(1)
    expect(found.body.items[0]).toMatchObject({
      title: '白茶淡香水',
      priceFen: 45900,
      memberPriceFen: null,
      inStock: true,
    })
    const cheap = await app.request('GET', `/api/mp/products?categoryId=${category.id}&maxPriceFen=1000`, {
      token: shopper.token,
    })
    expect(cheap.body.total).toBe(0)
    await app.request('PATCH', `/api/admin/products/${created.body.id}`, {
      token: op,
      body: { status: 'off_sale' },
    })
    const hidden = await app.request('GET', `/api/mp/products/${created.body.id}`, { token: shopper.token })
    expect(hidden.status).toBe(404)
  })
})

describe('coupons', () => {
  it('operators issue a template to members once per batch; members redeem another with points once per request', async () => {
    const a = await makeShopper(database.db)
    const b = await makeShopper(database.db)
    const t = await app.request('POST', '/api/admin/coupon-templates', {
      token: op,
      body: { name: '新客立减 20 元', kind: 'fixed', amountFen: 2000, validDays: 30, totalQuantity: 100 },
    })
    expect(t.status).toBe(201)
    const body = { memberIds: [a.member.id, b.member.id], batchId: 'welcome-2026-11' }
    const first = await app.request('POST', `/api/admin/coupon-templates/${t.body.id}/issue`, {
      token: op,
      body,
    })
    expect(first.body).toMatchObject({ issued: 2, refused: [] })
    const retry = await app.request('POST', `/api/admin/coupon-templates/${t.body.id}/issue`, {
      token: op,
      body,
    })
    expect(retry.body).toMatchObject({ issued: 2, refused: [] })
    const mine = await app.request('GET', '/api/mp/coupons', { token: a.token })
    expect(mine.body).toHaveLength(1)
    expect(mine.body[0]).toMatchObject({ name: '新客立减 20 元', status: 'available' })
    const another = await app.request('POST', `/api/admin/coupon-templates/${t.body.id}/issue`, {
      token: op,
      body: { memberIds: [a.member.id], batchId: 'second-batch' },
    })
    expect(another.body.refused[0].code).toBe('coupon_limit_reached')

    const bad = await app.request('POST', '/api/admin/coupon-templates', {
      token: op,
      body: { name: '满减', kind: 'threshold', amountFen: 5000, thresholdFen: 3000, validDays: 7 },
    })
    expect(bad.status).toBe(400)

    const redeemable = await app.request('POST', '/api/admin/coupon-templates', {
      token: op,
      body: {
        name: '积分兑 10 元券',
        kind: 'fixed',
        amountFen: 1000,
        validDays: 30,
        pointsCost: 500,
        perMemberLimit: 5,
      },
    })
    await grantPoints(database.db, {
      memberId: a.member.id,
      amount: 600,
      sourceKey: `t:${a.member.id}`,
      reason: '测试',
      at: new Date(),
      expiresAt: null,
    })
    const req = { templateId: redeemable.body.id, requestId: 'req-0001-abcd' }
    const r1 = await app.request('POST', '/api/mp/coupons/redeem', { token: a.token, body: req })
    const r2 = await app.request('POST', '/api/mp/coupons/redeem', { token: a.token, body: req })
    expect(r1.status).toBe(201)
    expect(r2.body).toMatchObject({ couponId: r1.body.couponId, duplicate: true })
    expect(await pointsBalance(database.db, a.member.id, new Date())).toBe(100)
    const poor = await app.request('POST', '/api/mp/coupons/redeem', {
      token: a.token,
      body: { ...req, requestId: 'req-0002-abcd' },
    })
    expect(poor.status).toBe(409)
    expect(poor.body.error.code).toBe('insufficient_points')
    expect((await app.request('GET', '/api/mp/coupons', { token: a.token })).body).toHaveLength(2)
  })
})

describe('orders for operators', () => {
  it('lists and filters orders, and only operators may', async () => {
    const shopper = await makeShopper(database.db)
    const denied = await app.request('GET', '/api/admin/orders', { token: shopper.token })
    expect(denied.status).toBe(401)
    const list = await app.request('GET', '/api/admin/orders?status=pending&kind=goods&page=1&pageSize=5', {
      token: op,
    })
    expect(list.status).toBe(200)
    expect(list.body).toMatchObject({ page: 1, pageSize: 5 })
    expect(list.body.items.every((o: { status: string }) => o.status === 'pending')).toBe(true)
    const bad = await app.request('GET', '/api/admin/orders?status=lost', { token: op })
    expect(bad.status).toBe(400)
  })

  it('documents the store in the OpenAPI document', async () => {
    const doc = await app.request('GET', '/api/openapi.json')
    for (const path of [
      '/api/mp/login',
      '/api/mp/orders',
      '/api/mp/orders/{orderNo}/pay',
      '/pay/notify',
      '/api/admin/orders/{orderNo}/refund',
    ])
      expect(doc.body.paths[path], path).toBeDefined()
  })
})
