// What an order costs, as pure functions of plain data: the unit price each line is charged (the lowest
// of list price and the member's tier prices, or the flash-sale or group price), the coupon's discount,
// the points deduction with its cap, shipping, and what the member pays. Checkout and its preview call
// priceOrder; nothing else computes a price.
import { z } from 'zod'
import type { CouponRule } from '../coupons/rule'

/** Store pricing rules, as operators set them (settings with history); the defaults live here. */
export const storeRulesSchema = z.object({
  /** Flat shipping for goods orders below the free-shipping threshold. */
  shippingFen: z.number().int().min(0).max(100_000),
  freeShippingOverFen: z.number().int().min(0).max(100_000_000),
  /** What one point is worth, in fen, when it pays for an order (1: 100 points = ¥1). */
  pointValueFen: z.number().int().min(1).max(10_000),
  /** Points may pay at most this percent of the goods after coupon. */
  pointsMaxSharePct: z.number().int().min(0).max(100),
  /** Minutes an unpaid order holds its stock. */
  unpaidOrderMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60),
})
export type StoreRules = z.infer<typeof storeRulesSchema>

export const defaultStoreRules: StoreRules = {
  shippingFen: 1000,
  freeShippingOverFen: 9900,
  pointValueFen: 1,
  pointsMaxSharePct: 50,
  unpaidOrderMinutes: 15,
}

export type PriceSource = 'list' | 'member' | 'flash_sale' | 'group_buy' | 'bargain' | 'membership'

export interface LineInput {
  skuId: number
  productId: number
  categoryId: number
  quantity: number
  listPriceFen: number
  /** Member prices of the levels the member holds, for this SKU. */
  memberPricesFen: number[]
  /** A flash-sale, group or bargain price, which replaces list and member prices. */
  promotion?: { source: 'flash_sale' | 'group_buy' | 'bargain'; priceFen: number }
}

export interface PricedLine {
  skuId: number
  productId: number
  categoryId: number
  quantity: number
  listPriceFen: number
  unitPriceFen: number
  source: PriceSource
}

/** Pure: the unit price a line is charged. */
export function priceLine(line: LineInput): PricedLine {
  let unit = line.listPriceFen
  let source: PriceSource = 'list'
  if (line.promotion) {
    unit = line.promotion.priceFen
    source = line.promotion.source
  } else {
    const best = Math.min(...line.memberPricesFen)
    if (Number.isFinite(best) && best < unit) {
      unit = best
      source = 'member'
    }
  }
  return {
    skuId: line.skuId,
    productId: line.productId,
    categoryId: line.categoryId,
    quantity: line.quantity,
    listPriceFen: line.listPriceFen,
    unitPriceFen: unit,
    source,
  }
}

export type CouponOutcome =
  | { ok: true; eligibleFen: number; discountFen: number }
  | { ok: false; reason: 'no_eligible_items' | 'below_threshold'; eligibleFen: number }

/** Promotion-priced lines (flash sale, group buy, bargain) take no coupon on top. */
const couponEligible = (rule: CouponRule, line: PricedLine) =>
  line.source !== 'flash_sale' &&
  line.source !== 'group_buy' &&
  line.source !== 'bargain' &&
  (rule.scope === 'all' ||
    (rule.scope === 'category' && rule.scopeIds.includes(line.categoryId)) ||
    (rule.scope === 'product' && rule.scopeIds.includes(line.productId)))

/** Pure: what a coupon takes off these lines (never more than the eligible amount). */
export function couponDiscount(rule: CouponRule, lines: PricedLine[]): CouponOutcome {
  const eligibleFen = lines
    .filter((l) => couponEligible(rule, l))
    .reduce((sum, l) => sum + l.unitPriceFen * l.quantity, 0)
  if (eligibleFen === 0) return { ok: false, reason: 'no_eligible_items', eligibleFen }
  if (eligibleFen < rule.thresholdFen) return { ok: false, reason: 'below_threshold', eligibleFen }
  let discount =
    rule.kind === 'percentage' ? Math.floor((eligibleFen * rule.percentOff) / 100) : rule.amountFen
  if (rule.kind === 'percentage' && rule.maxDiscountFen !== null)
    discount = Math.min(discount, rule.maxDiscountFen)
  return { ok: true, eligibleFen, discountFen: Math.min(discount, eligibleFen) }
}

/** Pure: points to deduct and the fen they cover, capped by the rule, the balance and the request. */
export function pointsDeduction(
  rules: Pick<StoreRules, 'pointValueFen' | 'pointsMaxSharePct'>,
  input: { goodsAfterCouponFen: number; balance: number; requested: number | 'max' },
): { points: number; fen: number } {
  const capFen = Math.floor((input.goodsAfterCouponFen * rules.pointsMaxSharePct) / 100)
  const capPoints = Math.floor(capFen / rules.pointValueFen)
  const wanted =
    input.requested === 'max' ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.floor(input.requested))
  const points = Math.max(0, Math.min(wanted, capPoints, input.balance))
  return { points, fen: points * rules.pointValueFen }
}

/** Pure: shipping for a goods order; memberships ship nothing. */
export function shippingFee(
  rules: Pick<StoreRules, 'shippingFen' | 'freeShippingOverFen'>,
  kind: 'goods' | 'membership',
  goodsAfterCouponFen: number,
): number {
  if (kind === 'membership') return 0
  return goodsAfterCouponFen >= rules.freeShippingOverFen ? 0 : rules.shippingFen
}

export interface OrderPriceInput {
  kind: 'goods' | 'membership'
  lines: PricedLine[]
  coupon?: CouponRule
  pointsBalance: number
  pointsRequested: number | 'max'
}

export interface OrderPrice {
  itemsFen: number
  discountFen: number
  pointsUsed: number
  pointsDeductFen: number
  shippingFen: number
  payFen: number
  coupon: CouponOutcome | null
}

/** Pure: the whole bill. payFen = items − coupon − points + shipping, never below zero. */
export function priceOrder(rules: StoreRules, input: OrderPriceInput): OrderPrice {
  const itemsFen = input.lines.reduce((sum, l) => sum + l.unitPriceFen * l.quantity, 0)
  const coupon = input.coupon ? couponDiscount(input.coupon, input.lines) : null
  const discountFen = coupon?.ok ? coupon.discountFen : 0
  const goodsAfterCouponFen = itemsFen - discountFen
  const points = pointsDeduction(rules, {
    goodsAfterCouponFen,
    balance: input.pointsBalance,
    requested: input.pointsRequested,
  })
  const shippingFen = shippingFee(rules, input.kind, goodsAfterCouponFen)
  return {
    itemsFen,
    discountFen,
    pointsUsed: points.points,
    pointsDeductFen: points.fen,
    shippingFen,
    payFen: goodsAfterCouponFen - points.fen + shippingFen,
    coupon,
  }
}
