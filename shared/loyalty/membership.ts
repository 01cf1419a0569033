// Paid membership periods: joining or renewing a paid level, the cash part paid by a membership order
// and, on renewal, part of the fee paid in points when the ladder's rules offer it (保级: e.g. 50 of
// ¥99 in points). Points, the period and the order's use are written in one transaction, once per
// client request id; one order pays for one period.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { recordMemberEvent } from '../members/events'
import { orders } from '../orders/schema'
import { memberTiers, tierChanges, tierRenewals } from './schema'
import { pointsBalance, spendIn } from './points'
import { addMonths, parseTierRules, renewalWithPointsTerms } from './tier-rules'
import { loadLadder, ruleSetInForce } from './tiers'

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
      const [current] = await tx
        .select()
        .from(memberTiers)
        .where(and(eq(memberTiers.memberId, input.memberId), eq(memberTiers.ladderId, lad.ladder.id)))
      const extends_ = current && current.levelId === level.id && current.endsAt && current.endsAt > at
      const startsAt = extends_ ? current.endsAt! : at
      const endsAt = addMonths(startsAt, lad.ladder.periodMonths)
      if (pointsSpent > 0)
        await spendIn(tx, {
          memberId: input.memberId,
          amount: pointsSpent,
          sourceKey: `renewal:${input.memberId}:${input.requestId}`,
          reason: `${level.name}续费积分抵扣 ¥${(pointsFen / 100).toFixed(2)}`,
          at,
        })
      const [renewal] = await tx
        .insert(tierRenewals)
        .values({
          memberId: input.memberId,
          ladderId: lad.ladder.id,
          levelId: level.id,
          requestId: input.requestId,
          orderNo: cashFen > 0 ? input.orderNo! : null,
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
          .set({ levelId: level.id, startsAt, endsAt, source: 'paid' })
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
      const kind = !current
        ? 'join'
        : fromRank === level.rank
          ? 'renew'
          : fromRank < level.rank
            ? 'up'
            : 'down'
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
        payload: { ladder: lad.ladder.code, kind, to: level.name, cashFen, pointsSpent },
      })
      return { renewal: renewal!, duplicate: false }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('order_already_used', '该会费订单已用于一次开通或续费', 409)
    throw err
  }
}
