// A first-time visitor browses without a session (catalogue, flash sales, group buys), member-only data
// still needs one; with no AppID or WeChat Pay configured the development login and the simulated
// payment stand in, and both are refused in production or once the real credentials are configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../shared/db/client'
import { testDatabase } from '../support/db'
import { startTestApp, type TestApp } from '../support/app'
import { makeLevels, makeProduct, makeShopper, orderRow } from '../support/store'
import { testConfig } from '../support/config'

let database: Database
let app: TestApp

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('browsing without a session', () => {
  it('reads the catalogue, a product, flash sales and group buys as a guest', async () => {
    const { productId, categoryId } = await makeProduct(database.db, {
      priceFen: 12800,
      title: '访客可见面霜',
    })
    const list = await app.request('GET', `/api/mp/products?categoryId=${categoryId}`)
    expect(list.status).toBe(200)
    expect(list.body.items.map((p: { title: string }) => p.title)).toEqual(['访客可见面霜'])
    const detail = await app.request('GET', `/api/mp/products/${productId}`)
    expect(detail.status).toBe(200)
    expect(detail.body.skus[0].priceFen).toBe(12800)
    expect((await app.request('GET', '/api/mp/categories')).status).toBe(200)
    expect((await app.request('GET', '/api/mp/flash-sales')).status).toBe(200)
    expect((await app.request('GET', '/api/mp/group-buys')).status).toBe(200)
  })

  it('reads a stale token as a guest: list prices, no member price', async () => {
    const { v1 } = await makeLevels(database.db)
    const { productId } = await makeProduct(database.db, {
      priceFen: 20000,
      memberPrices: [{ levelId: v1.id, priceFen: 15000 }],
    })
    const guest = await app.request('GET', `/api/mp/products/${productId}`, { token: 'x'.repeat(40) })
    expect(guest.status).toBe(200)
    expect(guest.body.skus[0].memberPriceFen).toBeNull()
  })

  it('lists the paid memberships on sale, and only those', async () => {
    const { v1 } = await makeLevels(database.db)
    const res = await app.request('GET', '/api/mp/memberships')
    expect(res.status).toBe(200)
    const listed = (res.body as { levelId: number; annualFeeFen: number }[]).find((l) => l.levelId === v1.id)
    expect(listed?.annualFeeFen).toBe(9900)
    expect((res.body as { annualFeeFen: number }[]).every((l) => l.annualFeeFen > 0)).toBe(true)
  })

  it('still asks for a session for member data', async () => {
    for (const path of ['/api/mp/cart', '/api/mp/card', '/api/mp/orders', '/api/mp/me']) {
      const res = await app.request('GET', path)
      expect(res.status, path).toBe(401)
    }
  })
})

describe('demo mode', () => {
  it('logs a DevTools device in as the same demo member each time', async () => {
    const first = await app.request('POST', '/api/mp/login/demo', { body: { deviceId: 'devtools-0001' } })
    expect(first.status).toBe(200)
    expect(first.body.demo).toBe(true)
    expect(first.body.isNew).toBe(true)
    const again = await app.request('POST', '/api/mp/login/demo', { body: { deviceId: 'devtools-0001' } })
    expect(again.body.isNew).toBe(false)
    expect(again.body.member.memberNo).toBe(first.body.member.memberNo)
    const me = await app.request('GET', '/api/mp/me', { token: again.body.token })
    expect(me.status).toBe(200)
  })

  it('names the field of a malformed device id', async () => {
    const res = await app.request('POST', '/api/mp/login/demo', { body: { deviceId: 'a b' } })
    expect(res.status).toBe(400)
    expect(res.body.error.fields[0].path).toBe('body.deviceId')
  })

  it('pays a pending order with the simulated payment, once', async () => {
    const login = await app.request('POST', '/api/mp/login/demo', { body: { deviceId: 'devtools-pay-01' } })
    const token = login.body.token as string
    const { skuId } = await makeProduct(database.db, { priceFen: 9900 })
    const address = await app.request('POST', '/api/mp/addresses', {
      token,
      body: {
        name: '李雷',
        phone: '13800001111',
        province: '上海市',
        city: '上海市',
        district: '徐汇区',
        detail: '漕溪北路 1 号',
      },
    })
    expect(address.status).toBeLessThan(300)
    const placed = await app.request('POST', '/api/mp/orders', {
      token,
      body: { items: [{ skuId, quantity: 1 }], addressId: address.body.id },
    })
    expect(placed.status).toBe(201)
    // No WeChat Pay merchant: the real payment says so, the simulated one pays.
    const real = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, { token })
    expect(real.status).toBe(503)
    expect(real.body.error.code).toBe('payment_unavailable')
    const paid = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/demo-pay`, { token })
    expect(paid.status).toBe(200)
    expect((await orderRow(database.db, placed.body.orderNo)).status).toBe('paid')
    const twice = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/demo-pay`, { token })
    expect(twice.status).toBe(409)
  })

  it('is refused in production and when the real credentials are configured', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db)
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId },
    })
    expect(placed.status).toBe(201)
    const configs = [
      { ...testConfig(), NODE_ENV: 'production' as const },
      testConfig({ WECHAT_MP_APPID: 'wx1234567890abcdef', WECHAT_MP_SECRET: 's'.repeat(32) }),
    ]
    for (const config of configs) {
      const other = await startTestApp(database, { config })
      try {
        const login = await other.request('POST', '/api/mp/login/demo', {
          body: { deviceId: 'devtools-0002' },
        })
        expect(login.status).toBe(403)
        expect(login.body.error.code).toBe('demo_disabled')
      } finally {
        await other.close()
      }
    }
    const production = await startTestApp(database, { config: configs[0]! })
    try {
      const pay = await production.request('POST', `/api/mp/orders/${placed.body.orderNo}/demo-pay`, {
        token: shopper.token,
      })
      expect(pay.status).toBe(403)
    } finally {
      await production.close()
    }
    expect((await orderRow(database.db, placed.body.orderNo)).status).toBe('pending')
  })
})
