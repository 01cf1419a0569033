// The pricing rules as pure functions, with plain objects, plus properties that hold for any bill.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  couponDiscount,
  defaultStoreRules,
  pointsDeduction,
  priceLine,
  priceOrder,
  shippingFee,
  type PricedLine,
} from './pricing'
import type { CouponRule } from '../coupons/rule'

const line = (over: Partial<PricedLine> = {}): PricedLine => ({
  skuId: 1,
  productId: 10,
  categoryId: 100,
  quantity: 1,
  listPriceFen: 10000,
  unitPriceFen: 10000,
  source: 'list',
  ...over,
})
const rule = (over: Partial<CouponRule> = {}): CouponRule => ({
  kind: 'fixed',
  amountFen: 1000,
  percentOff: 0,
  thresholdFen: 0,
  maxDiscountFen: null,
  scope: 'all',
  scopeIds: [],
  ...over,
})

describe('priceLine', () => {
  const base = { skuId: 1, productId: 2, categoryId: 3, quantity: 2, listPriceFen: 26900 }
  it('charges the lowest member price of the levels held, never more than list', () => {
    expect(priceLine({ ...base, memberPricesFen: [] })).toMatchObject({ unitPriceFen: 26900, source: 'list' })
    expect(priceLine({ ...base, memberPricesFen: [24900, 22900] })).toMatchObject({
      unitPriceFen: 22900,
      source: 'member',
    })
    expect(priceLine({ ...base, memberPricesFen: [29900] })).toMatchObject({
      unitPriceFen: 26900,
      source: 'list',
    })
  })
  it('a flash-sale price replaces list and member prices', () => {
    expect(
      priceLine({ ...base, memberPricesFen: [9900], promotion: { source: 'flash_sale', priceFen: 12900 } }),
    ).toMatchObject({ unitPriceFen: 12900, source: 'flash_sale' })
  })
})

describe('couponDiscount', () => {
  it('fixed, threshold (满减) and percentage with its cap', () => {
    const lines = [line({ unitPriceFen: 8000, quantity: 2 })]
    expect(couponDiscount(rule(), lines)).toEqual({ ok: true, eligibleFen: 16000, discountFen: 1000 })
    expect(couponDiscount(rule({ kind: 'threshold', thresholdFen: 20000, amountFen: 3000 }), lines)).toEqual({
      ok: false,
      reason: 'below_threshold',
      eligibleFen: 16000,
    })
    expect(couponDiscount(rule({ kind: 'percentage', percentOff: 15 }), lines)).toMatchObject({
      discountFen: 2400,
    })
    expect(
      couponDiscount(rule({ kind: 'percentage', percentOff: 15, maxDiscountFen: 2000 }), lines),
    ).toMatchObject({
      discountFen: 2000,
    })
  })
  it('counts only lines in scope, and never flash-sale or group-buy lines', () => {
    const lines = [
      line({ productId: 10, categoryId: 100, unitPriceFen: 5000 }),
      line({ skuId: 2, productId: 20, categoryId: 200, unitPriceFen: 7000 }),
      line({ skuId: 3, productId: 30, categoryId: 100, unitPriceFen: 9000, source: 'flash_sale' }),
    ]
    expect(couponDiscount(rule({ scope: 'category', scopeIds: [100] }), lines)).toMatchObject({
      eligibleFen: 5000,
    })
    expect(couponDiscount(rule({ scope: 'product', scopeIds: [20] }), lines)).toMatchObject({
      eligibleFen: 7000,
    })
    expect(couponDiscount(rule({ scope: 'product', scopeIds: [30] }), lines)).toMatchObject({
      ok: false,
      reason: 'no_eligible_items',
    })
  })
  it('never takes off more than the eligible amount', () => {
    expect(couponDiscount(rule({ amountFen: 50000 }), [line({ unitPriceFen: 3000 })])).toMatchObject({
      discountFen: 3000,
    })
  })
})

describe('pointsDeduction and shipping', () => {
  it('caps points by the share of goods, the balance and the request', () => {
    const r = { pointValueFen: 1, pointsMaxSharePct: 50 }
    expect(pointsDeduction(r, { goodsAfterCouponFen: 10000, balance: 99999, requested: 'max' })).toEqual({
      points: 5000,
      fen: 5000,
    })
    expect(pointsDeduction(r, { goodsAfterCouponFen: 10000, balance: 1200, requested: 'max' })).toEqual({
      points: 1200,
      fen: 1200,
    })
    expect(pointsDeduction(r, { goodsAfterCouponFen: 10000, balance: 9000, requested: 300 })).toEqual({
      points: 300,
      fen: 300,
    })
  })
  it('ships free over the threshold, and memberships never ship', () => {
    expect(shippingFee(defaultStoreRules, 'goods', 9899)).toBe(1000)
    expect(shippingFee(defaultStoreRules, 'goods', 9900)).toBe(0)
    expect(shippingFee(defaultStoreRules, 'membership', 100)).toBe(0)
  })
})

describe('priceOrder properties', () => {
  const lineArb = fc.record({
    skuId: fc.integer({ min: 1, max: 5 }),
    productId: fc.integer({ min: 1, max: 5 }),
    categoryId: fc.integer({ min: 1, max: 3 }),
    quantity: fc.integer({ min: 1, max: 5 }),
    listPriceFen: fc.integer({ min: 1, max: 100000 }),
    unitPriceFen: fc.integer({ min: 1, max: 100000 }),
    source: fc.constantFrom('list' as const, 'member' as const, 'flash_sale' as const),
  })
  const ruleArb = fc.record({
    kind: fc.constantFrom('fixed' as const, 'threshold' as const, 'percentage' as const),
    amountFen: fc.integer({ min: 0, max: 100000 }),
    percentOff: fc.integer({ min: 0, max: 99 }),
    thresholdFen: fc.integer({ min: 0, max: 200000 }),
    maxDiscountFen: fc.option(fc.integer({ min: 0, max: 50000 }), { nil: null }),
    scope: fc.constantFrom('all' as const, 'category' as const, 'product' as const),
    scopeIds: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
  })

  it('adds up, never goes below zero, and keeps each part within its bound', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 5 }),
        fc.option(ruleArb, { nil: undefined }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.oneof(fc.constant('max' as const), fc.integer({ min: 0, max: 1_000_000 })),
        (lines, coupon, balance, requested) => {
          const p = priceOrder(defaultStoreRules, {
            kind: 'goods',
            lines,
            ...(coupon ? { coupon } : {}),
            pointsBalance: balance,
            pointsRequested: requested,
          })
          expect(p.payFen).toBe(p.itemsFen - p.discountFen - p.pointsDeductFen + p.shippingFen)
          expect(p.payFen).toBeGreaterThanOrEqual(0)
          expect(p.discountFen).toBeLessThanOrEqual(p.itemsFen)
          expect(p.pointsUsed).toBeLessThanOrEqual(balance)
          expect(p.pointsDeductFen * 100).toBeLessThanOrEqual((p.itemsFen - p.discountFen) * 50)
        },
      ),
    )
  })
})
