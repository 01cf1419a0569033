// A coupon's rule as data: what a template says about the discount it gives. Pricing applies it.
import type { CouponKind, CouponScope } from '../db/schema/coupons'

/** A coupon's rule as data (the template's columns that decide the discount). */
export interface CouponRule {
  kind: CouponKind
  amountFen: number
  percentOff: number
  thresholdFen: number
  maxDiscountFen: number | null
  scope: CouponScope
  scopeIds: number[]
}
