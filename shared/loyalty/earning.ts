// Points for a paid order and their reversal on refund. Base ratio: 1 point per yuan actually paid,
// times the best points multiplier among the member's current tiers; each grant valid until the end of
// the following calendar year (Asia/Shanghai).
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orders } from '../orders/schema'
import { memberTiers, tierLevels } from './schema'
import { grantPoints, reverseGrant, type PointsResult, type ReversalResult } from './points'
import { SHANGHAI_OFFSET_MS } from '../clock'

export const FEN_PER_POINT = 100

/** End of the year after `at`, in Asia/Shanghai. */
export function defaultPointsExpiry(at: Date): Date {
  const year = new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear()
  return new Date(Date.UTC(year + 2, 0, 1) - SHANGHAI_OFFSET_MS)
}

/** Pure: the points an amount paid earns at a multiplier (percent). */
export function pointsForSpend(payFen: number, multiplierPct: number): number {
  return Math.floor((Math.floor(payFen / FEN_PER_POINT) * multiplierPct) / 100)
}

export async function bestMultiplierPct(db: Db, memberId: number, at: Date): Promise<number> {
  const [row] = await db
    .select({ pct: sql<number>`coalesce(max(${tierLevels.pointsMultiplierPct}), 100)::int` })
    .from(memberTiers)
    .innerJoin(tierLevels, eq(tierLevels.id, memberTiers.levelId))
    .where(
      and(eq(memberTiers.memberId, memberId), or(isNull(memberTiers.endsAt), gt(memberTiers.endsAt, at))),
    )
  return row?.pct ?? 100
}

export const orderEarnKey = (orderNo: string) => `order:${orderNo}:earn`

/** Credit a paid order's points, once. Returns null when the order earns nothing. */
export async function awardPointsForOrder(db: Db, orderId: number, at: Date): Promise<PointsResult | null> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  if (!order || !order.paidAt) return null
  const amount = pointsForSpend(order.payFen, await bestMultiplierPct(db, order.memberId, at))
  if (amount <= 0) return null
  return grantPoints(db, {
    memberId: order.memberId,
    amount,
    sourceKey: orderEarnKey(order.orderNo),
    reason: `订单 ${order.orderNo} 消费积分`,
    at,
    expiresAt: defaultPointsExpiry(at),
  })
}

/** Take back a refunded order's points (see reverseGrant for points already spent). */
export async function reversePointsForOrder(
  db: Db,
  orderNo: string,
  at: Date,
  refundKey = 'refund',
): Promise<ReversalResult | null> {
  try {
    return await reverseGrant(db, {
      grantSourceKey: orderEarnKey(orderNo),
      sourceKey: `order:${orderNo}:${refundKey}`,
      reason: `订单 ${orderNo} 退款，扣回积分`,
      at,
    })
  } catch (err) {
    if ((err as { code?: string }).code === 'grant_not_found') return null
    throw err
  }
}
