// Rules operators change as data: the store rules decide checkout from the moment they are saved,
// every version is kept with who saved it, a bad value is refused naming the field and changes
// nothing, and a save over someone else's newer version is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { settings } from '../shared/db/schema/settings'
import { defaultStoreRules } from '../shared/orders/pricing'
import { testDatabase } from './support/db'
import { startFakeWechat, type FakeWechat } from './support/fake-wechat'
import { makeProduct, makeShopper, startStoreApp, type StoreApp } from './support/store'
import { operatorToken } from './support/factories'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let admin: string
const clock = new VirtualClock(new Date())

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat, { clock })
  admin = await operatorToken(database.db, 'admin')
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

describe('store rules as data', () => {
  it('a saved change applies to the next checkout, and every version is kept', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 5000 })
    const preview = () =>
      app.request('POST', '/api/mp/orders/preview', {
        token: shopper.token,
        body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId },
      })
    expect((await preview()).body).toMatchObject({ itemsFen: 5000, shippingFen: 1000, payFen: 6000 })

    const list = await app.request('GET', '/api/admin/settings', { token: admin })
    expect(list.status).toBe(200)
    const storeRules = list.body.items.find((s: { key: string }) => s.key === 'store_rules')
    expect(storeRules).toMatchObject({
      version: 0,
      value: defaultStoreRules,
      defaultValue: defaultStoreRules,
    })

    const saved = await app.request('PUT', '/api/admin/settings/store_rules', {
      token: admin,
      body: {
        value: { ...defaultStoreRules, shippingFen: 800, freeShippingOverFen: 4900 },
        expectedVersion: 0,
      },
    })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ version: 1, value: { shippingFen: 800, freeShippingOverFen: 4900 } })
    expect((await preview()).body).toMatchObject({ itemsFen: 5000, shippingFen: 0, payFen: 5000 })

    await app.request('PUT', '/api/admin/settings/store_rules', {
      token: admin,
      body: { value: { ...defaultStoreRules, freeShippingOverFen: 99_900 }, expectedVersion: 1 },
    })
    expect((await preview()).body).toMatchObject({ shippingFen: 1000, payFen: 6000 })
    const history = await app.request('GET', '/api/admin/settings/store_rules/history', { token: admin })
    expect(
      history.body.items.map((h: { version: number; value: { freeShippingOverFen: number } }) => [
        h.version,
        h.value.freeShippingOverFen,
      ]),
    ).toEqual([
      [2, 99_900],
      [1, 4900],
    ])
    expect(history.body.items[0].changedBy).toEqual(expect.any(Number))
  })

  it('a bad value is refused on its field and a stale save is refused; neither changes anything', async () => {
    const before = await app.request('GET', '/api/admin/settings/store_rules', { token: admin })
    const bad = await app.request('PUT', '/api/admin/settings/store_rules', {
      token: admin,
      body: { value: { ...defaultStoreRules, pointsMaxSharePct: 150 } },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ path: 'body.value.pointsMaxSharePct' })])
    const stale = await app.request('PUT', '/api/admin/settings/store_rules', {
      token: admin,
      body: { value: defaultStoreRules, expectedVersion: before.body.version - 1 },
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('setting_changed')
    const [row] = await database.db.select().from(settings).where(eq(settings.key, 'store_rules'))
    expect(row!.version).toBe(before.body.version)
    expect(row!.value).toEqual(before.body.value)
    const unknown = await app.request('PUT', '/api/admin/settings/nothing_here', {
      token: admin,
      body: { value: {} },
    })
    expect(unknown.status).toBe(404)
  })

  it('the points policy saved through its own screen is a setting with history too', async () => {
    const current = await app.request('GET', '/api/admin/points/policy', { token: admin })
    const put = await app.request('PUT', '/api/admin/points/policy', {
      token: admin,
      body: { ...current.body, expiry: { code: 'days_after_grant', args: { days: 400 } } },
    })
    expect(put.status).toBe(200)
    const history = await app.request('GET', '/api/admin/settings/points_policy/history', { token: admin })
    expect(history.body.items[0].value.expiry).toEqual({ code: 'days_after_grant', args: { days: 400 } })
  })

  it('store staff may read the rules but not change them', async () => {
    const staff = await operatorToken(database.db, 'staff')
    const put = await app.request('PUT', '/api/admin/settings/store_rules', {
      token: staff,
      body: { value: defaultStoreRules },
    })
    expect(put.status).toBe(403)
  })
})
