// Checkout through the app: the server computes every price (member price by tier level, coupon,
// points with their cap, shipping), holds stock by conditional update, and an unpaid order that expires
// gives back its stock, coupon and points. Paid memberships go through the same order and payment flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { skus } from '../../shared/db/schema/catalog'
import { createCouponTemplate, issueCoupon } from '../../shared/coupons/service'
import { memberCoupons } from '../../shared/db/schema/coupons'
import { grantPoints, pointsBalance } from '../../shared/points/ledger'
import { memberTiers, tierLadders, tierRenewals } from '../../shared/db/schema/loyalty'
import { addMonths } from '../../shared/tiers/rules'
import { heldLevelIds } from '../../shared/catalog/browse'
import { bestMultiplierPct } from '../../shared/points/earning'
import { shareCodes } from '../../shared/db/schema/referral'
import { jobs } from '../../worker/jobs'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import {
  makeLevels,
  makeProduct,
  makeShopper,
  notifyUrl,
  orderRow,
  startStoreApp,
  type StoreApp,
} from '../support/store'

let database: Database
let wechat: FakeWechat
let app: StoreApp
const clock = new VirtualClock(new Date())

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  wechat.pay.now = () => clock.now()
  app = await startStoreApp(database, wechat, { clock })
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

const runJob = (name: string) =>
  jobs
    .find((j) => j.name === name)!
    .run({ db: database.db, clock, logger: app.deps.logger, config: app.deps.config })

describe('prices are computed by the server', () => {
  it('member price by tier level, shipping under the threshold, and what the client sends about prices is ignored', async () => {
    const { v1, ladderId } = await makeLevels(database.db)
    const shopper = await makeShopper(database.db)
    const { skuId, productId } = await makeProduct(database.db, {
      priceFen: 8900,
      memberPrices: [{ levelId: v1.id, priceFen: 7900 }],
    })
    const list = await app.request('POST', '/api/mp/orders/preview', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId },
    })
    expect(list.status).toBe(200)
    expect(list.body).toMatchObject({ itemsFen: 8900, shippingFen: 1000, payFen: 9900 })
    await database.db.insert(memberTiers).values({
      memberId: shopper.member.id,
      ladderId,
      levelId: v1.id,
      startsAt: clock.now(),
      source: 'test',
    })
    const detail = await app.request('GET', `/api/mp/products/${productId}`, { token: shopper.token })
    expect(detail.body.skus[0]).toMatchObject({ priceFen: 8900, memberPriceFen: 7900 })
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 2 }], addressId: shopper.addressId, payFen: 1, priceFen: 1 },
    })
    expect(placed.status).toBe(201)
    expect(placed.body).toMatchObject({ itemsFen: 15800, shippingFen: 0, payFen: 15800, status: 'pending' })
    expect(placed.body.items[0]).toMatchObject({ listPriceFen: 8900, unitPriceFen: 7900, quantity: 2 })
  })

  it('a coupon and points (capped at half the goods) come off; cancelling gives both back', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 20000 })
    const template = await createCouponTemplate(database.db, {
      name: '满 300 减 50',
      kind: 'threshold',
      amountFen: 5000,
      thresholdFen: 30000,
      validDays: 30,
    })
    const { coupon } = await issueCoupon(database.db, {
      templateId: template.id,
      memberId: shopper.member.id,
      sourceKey: `test:${shopper.member.id}`,
      at: clock.now(),
    })
    await grantPoints(database.db, {
      memberId: shopper.member.id,
      amount: 50000,
      sourceKey: `gift:${shopper.member.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const below = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId, couponId: coupon.id },
    })
    expect(below.status).toBe(409)
    expect(below.body.error.code).toBe('coupon_not_applicable')
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: {
        items: [{ skuId, quantity: 2 }],
        addressId: shopper.addressId,
        couponId: coupon.id,
        usePoints: 'max',
      },
    })
    expect(placed.status).toBe(201)
    // 40000 − 5000 coupon = 35000; points at most half: 17500 points = ¥175.
    expect(placed.body).toMatchObject({
      itemsFen: 40000,
      discountFen: 5000,
      pointsUsed: 17500,
      pointsDeductFen: 17500,
      payFen: 17500,
    })
    expect(await pointsBalance(database.db, shopper.member.id, clock.now())).toBe(32500)
    const reuse = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 2 }], addressId: shopper.addressId, couponId: coupon.id },
    })
    expect(reuse.status).toBe(409)
    expect(reuse.body.error.code).toBe('coupon_unusable')
    const cancel = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/cancel`, {
      token: shopper.token,
    })
    expect(cancel.status).toBe(200)
    expect(cancel.body.status).toBe('cancelled')
    expect(await pointsBalance(database.db, shopper.member.id, clock.now())).toBe(50000)
    const [c] = await database.db.select().from(memberCoupons).where(eq(memberCoupons.id, coupon.id))
    expect(c!.status).toBe('available')
  })

  it('a percentage coupon, points capped at half of what is left, and shipping under the threshold', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 10000 })
    const template = await createCouponTemplate(database.db, {
      name: '五折券',
      kind: 'percentage',
      percentOff: 50,
      validDays: 7,
    })
    const { coupon } = await issueCoupon(database.db, {
      templateId: template.id,
      memberId: shopper.member.id,
      sourceKey: `half:${shopper.member.id}`,
      at: clock.now(),
    })
    await grantPoints(database.db, {
      memberId: shopper.member.id,
      amount: 10000,
      sourceKey: `gift2:${shopper.member.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    // 10000 − 50% = 5000; shipping 1000 (under ¥99); points up to half of 5000 → pays 3500.
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: {
        items: [{ skuId, quantity: 1 }],
        addressId: shopper.addressId,
        couponId: coupon.id,
        usePoints: 'max',
      },
    })
    expect(placed.body).toMatchObject({
      discountFen: 5000,
      pointsUsed: 2500,
      shippingFen: 1000,
      payFen: 3500,
      status: 'pending',
    })
  })
})

describe('referral attribution', () => {
  it('an order placed through a share code is attributed to its sharer, never to the buyer themself', async () => {
    const sharer = await makeShopper(database.db)
    const buyer = await makeShopper(database.db)
    await database.db.insert(shareCodes).values([
      { code: `S${sharer.member.id}`, memberId: sharer.member.id },
      { code: `S${buyer.member.id}`, memberId: buyer.member.id },
    ])
    const { skuId } = await makeProduct(database.db)
    const body = { items: [{ skuId, quantity: 1 }], addressId: buyer.addressId }
    const shared = await app.request('POST', '/api/mp/orders', {
      token: buyer.token,
      body: { ...body, shareCode: `S${sharer.member.id}` },
    })
    expect((await orderRow(database.db, shared.body.orderNo)).referrerId).toBe(sharer.member.id)
    const own = await app.request('POST', '/api/mp/orders', {
      token: buyer.token,
      body: { ...body, shareCode: `S${buyer.member.id}` },
    })
    expect((await orderRow(database.db, own.body.orderNo)).referrerId).toBeNull()
  })
})

describe('stock', () => {
  it('is held by the order, refused when short, and released when the unpaid order expires', async () => {
    const a = await makeShopper(database.db)
    const b = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 5000, stock: 2 })
    const first = await app.request('POST', '/api/mp/orders', {
      token: a.token,
      body: { items: [{ skuId, quantity: 2 }], addressId: a.addressId },
    })
    expect(first.status).toBe(201)
    const second = await app.request('POST', '/api/mp/orders', {
      token: b.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: b.addressId },
    })
    expect(second.status).toBe(409)
    expect(second.body.error.code).toBe('out_of_stock')
    clock.advance(14 * 60_000)
    await runJob('unpaid-orders-expiry')
    expect((await orderRow(database.db, first.body.orderNo)).status).toBe('pending')
    clock.advance(2 * 60_000)
    await runJob('unpaid-orders-expiry')
    expect((await orderRow(database.db, first.body.orderNo)).status).toBe('cancelled')
    const [sku] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(sku!.stock).toBe(2)
    const retry = await app.request('POST', '/api/mp/orders', {
      token: b.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: b.addressId },
    })
    expect(retry.status).toBe(201)
  })

  it('bad input is a clear 4xx: no address, unknown SKU, two kinds at once, zero quantity', async () => {
    const s = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db)
    const noAddress = await app.request('POST', '/api/mp/orders', {
      token: s.token,
      body: { items: [{ skuId, quantity: 1 }] },
    })
    expect(noAddress.body.error.code).toBe('address_required')
    const unknown = await app.request('POST', '/api/mp/orders', {
      token: s.token,
      body: { items: [{ skuId: 99999999, quantity: 1 }], addressId: s.addressId },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.code).toBe('sku_not_found')
    const both = await app.request('POST', '/api/mp/orders', {
      token: s.token,
      body: { items: [{ skuId, quantity: 1 }], membershipLevelId: 1 },
    })
    expect(both.status).toBe(400)
    const zero = await app.request('POST', '/api/mp/orders', {
      token: s.token,
      body: { items: [{ skuId, quantity: 0 }], addressId: s.addressId },
    })
    expect(zero.status).toBe(400)
    expect(zero.body.error.fields[0].path).toBe('body.items.0.quantity')
  })
})

describe('paid membership', () => {
  const buyLevel = async (shopper: { token: string }, levelId: number) => {
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { membershipLevelId: levelId },
    })
    expect(placed.status).toBe(201)
    expect(placed.body).toMatchObject({ kind: 'membership', payFen: 9900, shippingFen: 0 })
    const pay = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, {
      token: shopper.token,
    })
    expect(pay.status).toBe(200)
    const callback = wechat.pay.confirmPayment(placed.body.orderNo)
    expect(await wechat.pay.deliver(notifyUrl(app), callback)).toBe(204)
    return { orderNo: placed.body.orderNo as string, callback }
  }
  const holding = async (memberId: number, ladderId: number) => {
    const [tier] = await database.db
      .select()
      .from(memberTiers)
      .where(and(eq(memberTiers.memberId, memberId), eq(memberTiers.ladderId, ladderId)))
    return tier!
  }

  it("a paid order grants the ladder's own period once; renewing by order extends it from its end", async () => {
    const { v1, ladderId } = await makeLevels(database.db)
    await database.db.update(tierLadders).set({ periodMonths: 6 }).where(eq(tierLadders.id, ladderId))
    const [ladder] = await database.db.select().from(tierLadders).where(eq(tierLadders.id, ladderId))
    const shopper = await makeShopper(database.db)
    const now = clock.now()
    const first = await buyLevel(shopper, v1.id)
    const held = await holding(shopper.member.id, ladderId)
    expect(held.levelId).toBe(v1.id)
    expect(held.endsAt!.getTime()).toBe(addMonths(held.startsAt, 6).getTime())
    expect(Math.abs(held.startsAt.getTime() - now.getTime())).toBeLessThan(60_000)

    // A repeated callback and a renewal claiming the same order grant nothing more.
    expect(await wechat.pay.deliver(notifyUrl(app), first.callback)).toBe(204)
    const again = await app.request('POST', '/api/mp/card/renewal', {
      token: shopper.token,
      body: { ladder: ladder!.code, level: v1.code, requestId: 'renew-same-order', orderNo: first.orderNo },
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('order_already_used')
    expect((await holding(shopper.member.id, ladderId)).endsAt).toEqual(held.endsAt)
    const periods = await database.db
      .select()
      .from(tierRenewals)
      .where(eq(tierRenewals.memberId, shopper.member.id))
    expect(periods.map((p) => p.orderNo)).toEqual([first.orderNo])

    await buyLevel(shopper, v1.id)
    const renewed = await holding(shopper.member.id, ladderId)
    expect(renewed.endsAt!.getTime()).toBe(addMonths(held.endsAt!, 6).getTime())
    expect(renewed.startsAt).toEqual(held.startsAt)
    const free = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { membershipLevelId: 999999 },
    })
    expect(free.status).toBe(400)
    expect(free.body.error.code).toBe('membership_not_for_sale')
  })

  it('a member who renews early keeps member prices and the points multiplier throughout', async () => {
    const { v1, ladderId } = await makeLevels(database.db)
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, {
      priceFen: 8900,
      memberPrices: [{ levelId: v1.id, priceFen: 7900 }],
    })
    await buyLevel(shopper, v1.id)
    const before = await holding(shopper.member.id, ladderId)
    await buyLevel(shopper, v1.id)
    const after = await holding(shopper.member.id, ladderId)
    expect(after.endsAt!.getTime()).toBeGreaterThan(before.endsAt!.getTime())
    expect(after.startsAt.getTime()).toBeLessThanOrEqual(clock.now().getTime())

    // Every reader of "holds a level now" agrees: member price at checkout and the multiplier.
    const at = clock.now()
    expect(await heldLevelIds(database.db, shopper.member.id, at)).toEqual([v1.id])
    expect(await bestMultiplierPct(database.db, shopper.member.id, at)).toBe(200)
    const preview = await app.request('POST', '/api/mp/orders/preview', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId },
    })
    expect(preview.status).toBe(200)
    expect(preview.body.itemsFen).toBe(7900)
  })
})
