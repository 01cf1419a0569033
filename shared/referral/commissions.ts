// Commission on referred orders: accrued frozen when the order is paid, taken back (in proportion)
// when it is refunded, released to "available" when the return window closes.
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { orderItems, orders, type Order } from '../db/schema/orders'
import { promoterLevels, promoters, referrals, commissions, type Commission } from '../db/schema/referral'
import { computeCommission, goodsPaidFen, type CommissionOrder } from './commission-rules'
import { lockCommissionAccount, postCommissionEntry, type Tx } from './commission-ledger'
import type { ReferralSettings } from './settings'
import type { Sharer } from './attribution-rules'

const DAY_MS = 86_400_000

async function activePromoterOf(tx: Tx, sharer: Sharer) {
  const where =
    sharer.memberId !== null
      ? eq(promoters.memberId, sharer.memberId)
      : sharer.operatorId !== null
        ? eq(promoters.operatorId, sharer.operatorId)
        : null
  if (!where) return null
  const [row] = await tx
    .select({ promoter: promoters, level: promoterLevels })
    .from(promoters)
    .innerJoin(promoterLevels, eq(promoterLevels.id, promoters.levelId))
    .where(and(where, eq(promoters.status, 'active')))
  return row ?? null
}

/** Who brought the member who brought the buyer (tier 2), if anyone. */
async function sharerAbove(tx: Tx, memberId: number): Promise<Sharer | null> {
  const [r] = await tx
    .select({ memberId: referrals.referrerId, operatorId: referrals.referrerOperatorId })
    .from(referrals)
    .where(eq(referrals.refereeId, memberId))
  return r ?? null
}

export async function commissionOrderOf(tx: Tx | Db, order: Order): Promise<CommissionOrder> {
  const items = await tx
    .select({
      quantity: orderItems.quantity,
      unitPriceFen: orderItems.unitPriceFen,
      unitCostFen: orderItems.unitCostFen,
    })
    .from(orderItems)
    .where(eq(orderItems.orderId, order.id))
  return { payFen: order.payFen, shippingFen: order.shippingFen, items }
}

/**
 * Accrue tier-1 (whoever brought the buyer) and, when the programme has two tiers, tier-2 (whoever
 * brought them) commission on a paid order, each frozen until the return window closes. Each is
 * earned only by an active promoter whose level has a rule for that tier. Idempotent per order.
 */
export async function accrueCommissionsIn(
  tx: Tx,
  input: { order: Order; broughtBy: Sharer; settings: ReferralSettings; at: Date },
): Promise<Commission[]> {
  const { order, settings, at } = input
  const basis = await commissionOrderOf(tx, order)
  const tiers: { tier: 1 | 2; sharer: Sharer }[] = [{ tier: 1, sharer: input.broughtBy }]
  if (settings.commissionTiers === 2 && input.broughtBy.memberId !== null) {
    const above = await sharerAbove(tx, input.broughtBy.memberId)
    if (above) tiers.push({ tier: 2, sharer: above })
  }
  const paidAt = order.paidAt ?? at
  const created: Commission[] = []
  for (const { tier, sharer } of tiers) {
    const found = await activePromoterOf(tx, sharer)
    if (!found) continue
    const rule = tier === 1 ? found.level.tier1Rule : found.level.tier2Rule
    if (!rule) continue
    const amountFen = computeCommission(rule, basis)
    if (amountFen <= 0) continue
    const [commission] = await tx
      .insert(commissions)
      .values({
        promoterId: found.promoter.id,
        orderId: order.id,
        tier,
        basisFen: goodsPaidFen(basis),
        amountFen,
        rule,
        unfreezesAt: new Date(paidAt.getTime() + settings.returnWindowDays * DAY_MS),
        createdAt: at,
      })
      .onConflictDoNothing({ target: [commissions.orderId, commissions.tier] })
      .returning()
    if (!commission) continue
    await lockCommissionAccount(tx, found.promoter.id)
    await postCommissionEntry(tx, {
      promoterId: found.promoter.id,
      kind: 'accrue',
      moves: { frozen: amountFen },
      sourceKey: `commission:${commission.id}:accrue`,
      reason: `订单 ${order.orderNo} ${tier === 1 ? '直推' : '间推'}佣金`,
      at,
      commissionId: commission.id,
    })
    created.push(commission)
  }
  return created
}

export interface CommissionReversal {
  commissionId: number
  promoterId: number
  tier: number
  reversedFen: number
  /** Already withdrawn or spent: could not be taken back from the promoter's balance. */
  unrecoveredFen: number
}

/**
 * After a (partial or full) refund, commission is cut to the share of the order still kept: frozen
 * commission is simply reduced; commission already released is taken from the available balance as
 * far as it goes, the rest recorded as unrecovered. Idempotent per refunded amount.
 */
export async function reverseCommissionsIn(tx: Tx, order: Order, at: Date): Promise<CommissionReversal[]> {
  const rows = await tx
    .select()
    .from(commissions)
    .where(eq(commissions.orderId, order.id))
    .orderBy(asc(commissions.tier))
    .for('update')
  const fullyRefunded = order.status === 'refunded' || order.refundedFen >= order.payFen
  const out: CommissionReversal[] = []
  for (const c of rows) {
    const target = fullyRefunded
      ? 0
      : Math.floor((c.amountFen * (order.payFen - order.refundedFen)) / order.payFen)
    const due = c.amountFen - c.reversedFen - target
    if (due <= 0) continue
    const account = await lockCommissionAccount(tx, c.promoterId)
    let taken = due
    let moves: { frozen?: number; available?: number }
    if (c.state === 'frozen') {
      moves = { frozen: -due }
    } else {
      taken = Math.min(due, account.availableFen)
      moves = { available: -taken }
    }
    if (taken > 0) {
      await postCommissionEntry(tx, {
        promoterId: c.promoterId,
        kind: 'reverse',
        moves,
        sourceKey: `commission:${c.id}:reverse:${order.refundedFen}:${order.status}`,
        reason: `订单 ${order.orderNo} 退款，扣回佣金`,
        at,
        commissionId: c.id,
      })
    }
    await tx
      .update(commissions)
      .set({
        reversedFen: c.reversedFen + due,
        unrecoveredFen: c.unrecoveredFen + (due - taken),
        ...(target === 0 ? { state: 'reversed' as const } : {}),
      })
      .where(eq(commissions.id, c.id))
    out.push({
      commissionId: c.id,
      promoterId: c.promoterId,
      tier: c.tier,
      reversedFen: due,
      unrecoveredFen: due - taken,
    })
  }
  return out
}

/** Move commission whose return window has closed from frozen to available (the scheduled job). */
export async function releaseFrozenCommissions(
  db: Db,
  at: Date,
): Promise<{ commissions: number; fen: number }> {
  let released = 0
  let fen = 0
  for (;;) {
    const due = await db
      .select({ id: commissions.id })
      .from(commissions)
      .where(and(eq(commissions.state, 'frozen'), lte(commissions.unfreezesAt, at)))
      .orderBy(asc(commissions.unfreezesAt), asc(commissions.id))
      .limit(500)
    if (due.length === 0) break
    for (const { id } of due) {
      const moved = await db.transaction(async (tx) => {
        const [c] = await tx.select().from(commissions).where(eq(commissions.id, id)).for('update')
        if (!c || c.state !== 'frozen') return 0
        const net = c.amountFen - c.reversedFen
        if (net > 0) {
          await lockCommissionAccount(tx, c.promoterId)
          await postCommissionEntry(tx, {
            promoterId: c.promoterId,
            kind: 'unfreeze',
            moves: { frozen: -net, available: net },
            sourceKey: `commission:${c.id}:unfreeze`,
            reason: '退货期结束，佣金可提现',
            at,
            commissionId: c.id,
          })
        }
        await tx
          .update(commissions)
          .set({ state: net > 0 ? 'available' : 'reversed', availableAt: net > 0 ? at : null })
          .where(eq(commissions.id, c.id))
        return net
      })
      if (moved > 0) {
        released++
        fen += moved
      }
    }
    if (due.length < 500) break
  }
  return { commissions: released, fen }
}

export const commissionViewSchema = z.object({
  id: z.number().int(),
  promoterId: z.number().int(),
  orderId: z.number().int(),
  orderNo: z.string(),
  tier: z.number().int(),
  basisFen: z.number().int(),
  amountFen: z.number().int(),
  reversedFen: z.number().int(),
  unrecoveredFen: z.number().int(),
  state: z.enum(['frozen', 'available', 'reversed']),
  unfreezesAt: z.string(),
  createdAt: z.string(),
})
export type CommissionView = z.infer<typeof commissionViewSchema>

export async function listCommissions(
  db: Db,
  filter: {
    promoterId?: number
    state?: 'frozen' | 'available' | 'reversed'
    limit?: number
    offset?: number
  },
): Promise<CommissionView[]> {
  const rows = await db
    .select({ c: commissions, orderNo: orders.orderNo })
    .from(commissions)
    .innerJoin(orders, eq(orders.id, commissions.orderId))
    .where(
      and(
        filter.promoterId !== undefined ? eq(commissions.promoterId, filter.promoterId) : undefined,
        filter.state ? eq(commissions.state, filter.state) : undefined,
      ),
    )
    .orderBy(desc(commissions.createdAt), desc(commissions.id))
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0)
  return rows.map(({ c, orderNo }) => ({
    id: c.id,
    promoterId: c.promoterId,
    orderId: c.orderId,
    orderNo,
    tier: c.tier,
    basisFen: c.basisFen,
    amountFen: c.amountFen,
    reversedFen: c.reversedFen,
    unrecoveredFen: c.unrecoveredFen,
    state: c.state,
    unfreezesAt: c.unfreezesAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
  }))
}

/** Commission earned net of refunds, per promoter (frozen and available alike). */
export async function netCommissionFen(db: Db, promoterId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${commissions.amountFen} - ${commissions.reversedFen}), 0)::int` })
    .from(commissions)
    .where(eq(commissions.promoterId, promoterId))
  return row!.n
}
