// Paid membership periods: joining or renewing a paid level, the cash part paid by a membership order
// and, on renewal, part of the fee paid in points when the ladder's rules offer it (保级: e.g. 50 of
// ¥99 in points). Points, the period and the order's use are written in one transaction, once per
// client request id; one order pays for one period.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { recordMemberEvent } from '../members/events'
import { orders, type Order } from '../db/schema/orders'
import {
  memberTiers,
  tierChanges,
  tierLadders,
  tierLevels,
  tierRenewals,
  type TierRenewal,
} from '../db/schema/loyalty'
import { pointsBalance, spendIn } from '../points/ledger'
import { addMonths, parseTierRules, renewalWithPointsTerms, type LevelRef } from './rules'
import { loadLadder, ruleSetInForce, type LadderWithLevels } from './evaluation'

export interface RenewalQuote {
  ladder: string
  level: string
  levelName: string
  feeFen: number
  renewing: boolean
  /** Present when the rules let this level be part-paid in points on renewal. */
  points: { maxFeeFen: number; pointsPerYuan: number; pointsFen: number; pointsNeeded: number } | null
  balance: number
  cashFenWithPoints: number
}

async function termsFor(db: Db, memberId: number, ladderCode: string, levelCode: string, at: Date) {
  const lad = await loadLadder(db, ladderCode)
  const level = lad.levels.find((l) => l.code === levelCode)
  if (!level) throw notFound('等级', 'level_not_found')
  if (level.annualFeeFen <= 0) throw new DomainError('not_a_paid_level', '该等级无需付费', 400)
  const [holding] = await db
    .select()
    .from(memberTiers)
    .where(and(eq(memberTiers.memberId, memberId), eq(memberTiers.ladderId, lad.ladder.id)))
  const inForce = await ruleSetInForce(db, lad.ladder.id, at)
  const terms =
    holding && inForce ? renewalWithPointsTerms(parseTierRules(inForce.rules, lad.levels), level.code) : null
  const points = terms
    ? (() => {
        const pointsFen = Math.min(terms.maxFeeFen, level.annualFeeFen)
        return { ...terms, pointsFen, pointsNeeded: Math.ceil((pointsFen * terms.pointsPerYuan) / 100) }
      })()
    : null
  return { lad, level, holding: holding ?? null, points }
}

export async function quoteRenewal(
  db: Db,
  memberId: number,
  ladderCode: string,
  levelCode: string,
  at: Date,
): Promise<RenewalQuote> {
  const { lad, level, holding, points } = await termsFor(db, memberId, ladderCode, levelCode, at)
  return {
    ladder: lad.ladder.code,
    level: level.code,
    levelName: level.name,
    feeFen: level.annualFeeFen,
    renewing: !!holding,
    points,
    balance: await pointsBalance(db, memberId, at),
    cashFenWithPoints: level.annualFeeFen - (points?.pointsFen ?? 0),
  }
}

export interface RenewalInput {
  memberId: number
  ladderCode: string
  levelCode: string
  /** The client's request id: a retried request renews once. */
  requestId: string
  usePoints: boolean
  /** The paid membership order covering the cash part (required when any cash is due). */
  orderNo?: string
}

interface PaidPeriod {
  memberId: number
  /** Keys the period: a retried request or a repeated payment callback grants nothing more. */
  requestId: string
  /** The membership order that paid the cash part; one order pays for one period. */
  orderNo: string | null
  cashFen: number
  pointsSpent: number
}

/**
 * The one place a paid level's period is granted, for the payment of a membership order and for a
 * renewal alike. The period is the ladder's own (`period_months`). Renewing the level held now extends
 * it from its end and keeps its start, so the member holds the level (member prices and points
 * multiplier alike) without a gap; joining, or changing level, starts a new period now.
 */
async function grantPaidPeriod(
  tx: Db,
  lad: LadderWithLevels,
  level: LevelRef,
  input: PaidPeriod,
  at: Date,
): Promise<TierRenewal> {
  const [current] = await tx
    .select()
    .from(memberTiers)
    .where(and(eq(memberTiers.memberId, input.memberId), eq(memberTiers.ladderId, lad.ladder.id)))
    .for('update')
  const extending =
    !!current &&
    current.levelId === level.id &&
    current.startsAt <= at &&
    !!current.endsAt &&
    current.endsAt > at
  const startsAt = extending ? current.endsAt! : at
  const endsAt = addMonths(startsAt, lad.ladder.periodMonths)
  const { cashFen, pointsSpent } = input
  const [renewal] = await tx
    .insert(tierRenewals)
    .values({
      memberId: input.memberId,
      ladderId: lad.ladder.id,
      levelId: level.id,
      requestId: input.requestId,
      orderNo: input.orderNo,
      feeFen: level.annualFeeFen,
      cashFen,
      pointsSpent,
      startsAt,
      endsAt,
    })
    .returning()
  if (current)
    await tx
      .update(memberTiers)
      .set({ levelId: level.id, endsAt, source: 'paid', ...(extending ? {} : { startsAt }) })
      .where(eq(memberTiers.id, current.id))
  else
    await tx.insert(memberTiers).values({
      memberId: input.memberId,
      ladderId: lad.ladder.id,
      levelId: level.id,
      startsAt,
      endsAt,
      source: 'paid',
    })
  const fromRank = current ? (lad.levels.find((l) => l.id === current.levelId)?.rank ?? 0) : 0
  const kind = !current ? 'join' : fromRank === level.rank ? 'renew' : fromRank < level.rank ? 'up' : 'down'
  const [change] = await tx
    .insert(tierChanges)
    .values({
      memberId: input.memberId,
      ladderId: lad.ladder.id,
      kind,
      fromLevelId: current?.levelId ?? null,
      toLevelId: level.id,
      ruleCode: pointsSpent > 0 ? 'retain_with_points' : 'paid',
      reason: pointsSpent > 0 ? `积分抵扣 ${pointsSpent} 分续费` : '支付会费',
      endsAt,
      at,
    })
    .returning()
  await recordMemberEvent(tx, {
    memberId: input.memberId,
    type: 'tier_changed',
    occurredAt: at,
    sourceKey: `tier_change:${change!.id}`,
    payload: {
      ladder: lad.ladder.code,
      kind,
      to: level.name,
      cashFen,
      pointsSpent,
      endsAt: endsAt.toISOString(),
      ...(input.orderNo ? { orderNo: input.orderNo } : {}),
    },
  })
  return renewal!
}

/**
 * A paid membership order's payment, inside the paid-order flow's transaction: when the cash paid
 * covers the level's fee, the order grants one period (its order number keys it, so a repeated
 * callback or a later renewal with the same order grants nothing more). An order that pays only the
 * cash part of a points renewal waits for `renewMembership` to spend the points.
 */
export async function grantMembershipForOrder(tx: Db, order: Order, at: Date): Promise<void> {
  if (!order.membershipLevelId) throw new Error(`membership order ${order.orderNo} has no level`)
  const [row] = await tx
    .select({ ladder: tierLadders.code, fee: tierLevels.annualFeeFen })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .where(eq(tierLevels.id, order.membershipLevelId))
  if (!row || order.payFen < row.fee) return
  const lad = await loadLadder(tx, row.ladder)
  const level = lad.levels.find((l) => l.id === order.membershipLevelId)!
  const [used] = await tx
    .select({ id: tierRenewals.id })
    .from(tierRenewals)
    .where(eq(tierRenewals.orderNo, order.orderNo))
  if (used) return
  await grantPaidPeriod(
    tx,
    lad,
    level,
    {
      memberId: order.memberId,
      requestId: `order:${order.orderNo}`,
      orderNo: order.orderNo,
      cashFen: order.payFen,
      pointsSpent: 0,
    },
    at,
  )
}

/**
 * Join or renew a paid level. A renewal before the period ends extends it from its end; otherwise the
 * new period starts now.
 */
export async function renewMembership(db: Db, input: RenewalInput, at: Date) {
  const { lad, level, points } = await termsFor(db, input.memberId, input.ladderCode, input.levelCode, at)
  if (input.usePoints && !points)
    throw new DomainError('points_renewal_not_offered', '该等级续费不支持积分抵扣', 409)
  const pointsFen = input.usePoints ? points!.pointsFen : 0
  const pointsSpent = input.usePoints ? points!.pointsNeeded : 0
  const cashFen = level.annualFeeFen - pointsFen
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`tier:${input.memberId}:${lad.ladder.id}`}, 0))`,
      )
      const [prior] = await tx
        .select()
        .from(tierRenewals)
        .where(and(eq(tierRenewals.memberId, input.memberId), eq(tierRenewals.requestId, input.requestId)))
      if (prior) return { renewal: prior, duplicate: true }
      if (cashFen > 0) {
        if (!input.orderNo)
          throw new DomainError('payment_required', `需支付会费 ¥${(cashFen / 100).toFixed(2)}`, 402)
        const [order] = await tx.select().from(orders).where(eq(orders.orderNo, input.orderNo))
        if (!order || order.memberId !== input.memberId || order.kind !== 'membership')
          throw new DomainError('order_not_found', '会费订单不存在', 404)
        if (
          !order.paidAt ||
          !['paid', 'completed'].includes(order.status) ||
          order.payFen - order.refundedFen < cashFen
        )
          throw new DomainError('order_not_paid', '会费订单未支付或金额不足', 409)
      }
      if (pointsSpent > 0)
        await spendIn(tx, {
          memberId: input.memberId,
          amount: pointsSpent,
          sourceKey: `renewal:${input.memberId}:${input.requestId}`,
          reason: `${level.name}续费积分抵扣 ¥${(pointsFen / 100).toFixed(2)}`,
          at,
        })
      const renewal = await grantPaidPeriod(
        tx,
        lad,
        level,
        {
          memberId: input.memberId,
          requestId: input.requestId,
          orderNo: cashFen > 0 ? input.orderNo! : null,
          cashFen,
          pointsSpent,
        },
        at,
      )
      return { renewal, duplicate: false }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('order_already_used', '该会费订单已用于一次开通或续费', 409)
    throw err
  }
}
