// Referred orders: an order placed within the window after a member was brought is credited to
// whoever brought them (orders.referrer_id for member referrers), earns its promoters commission when
// paid, and gives it back when refunded. The store's payment and refund flows call the two hooks.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orders, type Order } from '../db/schema/orders'
import { referrals } from '../db/schema/referral'
import type { Sharer } from './attribution-rules'
import { getReferralSettings, type ReferralSettings } from './settings'
import { accrueCommissionsIn, reverseCommissionsIn, type CommissionReversal } from './commissions'
import type { Commission } from '../db/schema/referral'
import type { Tx } from './commission-ledger'

const DAY_MS = 86_400_000

export interface OrderAttribution {
  orderId: number
  /** Who brought the order: a member (also written to orders.referrer_id) or a staff promoter. */
  broughtBy: Sharer
}

async function attributeOrderIn(
  tx: Tx,
  order: Order,
  settings: ReferralSettings,
): Promise<OrderAttribution | null> {
  if (order.referrerId !== null)
    return { orderId: order.id, broughtBy: { memberId: order.referrerId, operatorId: null } }
  const [referral] = await tx.select().from(referrals).where(eq(referrals.refereeId, order.memberId))
  if (!referral) return null
  const placed = order.createdAt.getTime()
  const from = referral.attributedAt.getTime()
  if (placed < from || placed > from + settings.orderWindowDays * DAY_MS) return null
  if (referral.referrerId !== null) {
    await tx
      .update(orders)
      .set({ referrerId: referral.referrerId })
      .where(sql`${orders.id} = ${order.id} and ${orders.referrerId} is null`)
  }
  return {
    orderId: order.id,
    broughtBy: { memberId: referral.referrerId, operatorId: referral.referrerOperatorId },
  }
}

/**
 * Credit an order to whoever brought its buyer, if it was placed within the order window after the
 * attribution. Sets orders.referrer_id for member referrers; returns null for an unreferred order.
 */
export async function attributeOrder(db: Db, orderId: number): Promise<OrderAttribution | null> {
  const settings = await getReferralSettings(db)
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId))
    if (!order) return null
    return attributeOrderIn(tx, order, settings)
  })
}

export interface ReferredOrderHooks {
  /** Points (or any other rebate) for the member who brought the order: flows/referral-rebate.ts. */
  rebate?: {
    onPaid(db: Db, input: { order: Order; referrerMemberId: number; at: Date }): Promise<unknown>
    onRefunded(db: Db, input: { order: Order; referrerMemberId: number; at: Date }): Promise<unknown>
  }
}

export interface ReferredOrderPaid {
  attribution: OrderAttribution | null
  commissions: Commission[]
}

/**
 * The order was paid: attribute it, accrue its commission (frozen), and give the optional rebate.
 * Safe to call again for the same order (nothing is credited twice).
 */
export async function onReferredOrderPaid(
  db: Db,
  orderId: number,
  at: Date,
  hooks: ReferredOrderHooks = {},
): Promise<ReferredOrderPaid> {
  const settings = await getReferralSettings(db)
  const result = await db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update')
    if (!order || !order.paidAt || order.status === 'cancelled' || order.status === 'refunded')
      return { order: order ?? null, attribution: null, commissions: [] }
    const attribution = await attributeOrderIn(tx, order, settings)
    if (!attribution) return { order, attribution: null, commissions: [] }
    const created = await accrueCommissionsIn(tx, { order, broughtBy: attribution.broughtBy, settings, at })
    return { order, attribution, commissions: created }
  })
  const referrerMemberId = result.attribution?.broughtBy.memberId
  if (hooks.rebate && result.order && referrerMemberId)
    await hooks.rebate.onPaid(db, { order: result.order, referrerMemberId, at })
  return { attribution: result.attribution, commissions: result.commissions }
}

/**
 * The order was refunded (in part or in full; orders.refunded_fen and status already updated by the
 * store): take back the matching share of its commission and of the rebate.
 */
export async function onReferredOrderRefunded(
  db: Db,
  orderId: number,
  at: Date,
  hooks: ReferredOrderHooks = {},
): Promise<{ reversals: CommissionReversal[] }> {
  const result = await db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update')
    if (!order) return { order: null, reversals: [] }
    return { order, reversals: await reverseCommissionsIn(tx, order, at) }
  })
  if (hooks.rebate && result.order?.referrerId)
    await hooks.rebate.onRefunded(db, { order: result.order, referrerMemberId: result.order.referrerId, at })
  return { reversals: result.reversals }
}
