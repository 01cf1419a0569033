// Points for a paid order, their reversal on refund, and the referrer's rebate on a friend's order.
// How many points and for how long comes from the points policy (policy.ts: rules as data; by default
// 1 point per yuan actually paid, times the best multiplier among the member's current levels, each
// grant valid until the end of the following calendar year, Asia/Shanghai).
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orders } from '../db/schema/orders'
import { memberTierHeldAt, memberTiers, tierLevels } from '../db/schema/loyalty'
import { grantPoints, reverseGrant, type PointsResult, type ReversalResult } from './ledger'
import {
  defaultPointsPolicy,
  grantExpiry,
  loadPointsPolicy,
  referralRebatePoints,
  spendPoints,
} from './policy'

/** End of the year after `at`, in Asia/Shanghai: the default expiry policy. */
export function defaultPointsExpiry(at: Date): Date {
  return grantExpiry(defaultPointsPolicy, at)!
}

export async function bestMultiplierPct(db: Db, memberId: number, at: Date): Promise<number> {
  const [row] = await db
    .select({ pct: sql<number>`coalesce(max(${tierLevels.pointsMultiplierPct}), 100)::int` })
    .from(memberTiers)
    .innerJoin(tierLevels, eq(tierLevels.id, memberTiers.levelId))
    .where(and(eq(memberTiers.memberId, memberId), memberTierHeldAt(at)))
  return row?.pct ?? 100
}

export const orderEarnKey = (orderNo: string) => `order:${orderNo}:earn`
export const orderRebateKey = (orderNo: string) => `order:${orderNo}:referral_rebate`

/** Credit a paid order's points, once. Returns null when the order earns nothing. */
export async function awardPointsForOrder(db: Db, orderId: number, at: Date): Promise<PointsResult | null> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  if (!order || !order.paidAt) return null
  const policy = await loadPointsPolicy(db)
  const { fenPerPoint, tierMultiplier } = policy.earning.args
  const multiplier = tierMultiplier ? await bestMultiplierPct(db, order.memberId, at) : 100
  const amount = spendPoints(order.payFen, multiplier, fenPerPoint)
  if (amount <= 0) return null
  return grantPoints(db, {
    memberId: order.memberId,
    amount,
    sourceKey: orderEarnKey(order.orderNo),
    reason: `订单 ${order.orderNo} 消费积分`,
    at,
    expiresAt: grantExpiry(policy, at),
  })
}

/**
 * Take back a refunded order's points. When some were already spent, reverseGrant's shortfall policy
 * applies: the unspent remainder first, then the member's other points as far as the balance allows,
 * never below zero; the rest is written off and returned as `shortfall` for the refund flow to decide.
 */
export async function reversePointsForOrder(
  db: Db,
  orderNo: string,
  at: Date,
  refundKey = 'refund',
): Promise<ReversalResult | null> {
  return reverseIfGranted(
    db,
    orderEarnKey(orderNo),
    `order:${orderNo}:${refundKey}`,
    `订单 ${orderNo} 退款，扣回积分`,
    at,
  )
}

/**
 * The referrer's points rebate on an order of a friend they brought, once per order. The referral
 * domain decides who brought the order (shared/referral/order-attribution.ts) and passes them in. Null
 * when the order is not paid, the buyer referred themselves, or the order earns no rebate.
 */
export async function rebatePointsForReferredOrder(
  db: Db,
  orderId: number,
  referrerId: number,
  at: Date,
): Promise<(PointsResult & { referrerId: number }) | null> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  if (!order || !order.paidAt || referrerId === order.memberId) return null
  const policy = await loadPointsPolicy(db)
  const amount = referralRebatePoints(policy, order.payFen)
  if (amount <= 0) return null
  const result = await grantPoints(db, {
    memberId: referrerId,
    amount,
    sourceKey: orderRebateKey(order.orderNo),
    reason: `好友订单 ${order.orderNo} 推荐返积分`,
    at,
    expiresAt: grantExpiry(policy, at),
  })
  return { ...result, referrerId }
}

/** Take back a referral rebate when the friend's order is refunded (same shortfall policy). */
export async function reverseReferralRebate(
  db: Db,
  orderNo: string,
  at: Date,
  refundKey = 'refund',
): Promise<ReversalResult | null> {
  return reverseIfGranted(
    db,
    orderRebateKey(orderNo),
    `order:${orderNo}:referral_rebate:${refundKey}`,
    `好友订单 ${orderNo} 退款，扣回推荐返积分`,
    at,
  )
}

async function reverseIfGranted(
  db: Db,
  grantSourceKey: string,
  sourceKey: string,
  reason: string,
  at: Date,
): Promise<ReversalResult | null> {
  try {
    return await reverseGrant(db, { grantSourceKey, sourceKey, reason, at })
  } catch (err) {
    if ((err as { code?: string }).code === 'grant_not_found') return null
    throw err
  }
}
