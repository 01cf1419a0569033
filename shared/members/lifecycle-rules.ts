// The five-stage journey (stranger → intention → customer → repurchaser → super user) and the three
// kinds of repurchaser, as rules (shared/rules.ts): a code, zod-typed args, a pure check over a member's
// facts, and the same check compiled to SQL over their `member_stats` row (alias `s`) for the set-based
// passes.
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import type { LifecycleStage, RepurchaserKind } from '../db/schema/members'
import { statCount, statAt, withinDays, withinDaysSql, type MemberFacts } from './facts'

export interface FactRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  check(facts: MemberFacts, args: z.output<A>, now: Date): boolean
  /** The same check as a SQL condition over the statistics row aliased `s`. */
  toSql(args: z.output<A>, at: Date): SQL
}

const s = (column: string) => statCount('s', column)
const factRule = <A extends z.ZodType>(rule: FactRule<A>) => defineRule(rule)

export const minPurchases = factRule({
  code: 'min_purchases',
  title: '已支付且未退款的订单达到数量',
  args: z.object({ min: z.number().int().min(1).max(1000) }),
  check: (f, a) => f.paidOrders >= a.min,
  toSql: (a) => sql`${s('paid_orders')} >= ${a.min}`,
})

export const purchasesAndReferrals = factRule({
  code: 'purchases_and_referrals',
  title: '持续复购并且推荐过新会员',
  args: z.object({
    minPurchases: z.number().int().min(1).max(1000),
    minReferrals: z.number().int().min(1).max(1000),
  }),
  check: (f, a) => f.paidOrders >= a.minPurchases && f.referrals >= a.minReferrals,
  toSql: (a) => sql`(${s('paid_orders')} >= ${a.minPurchases} and ${s('referrals')} >= ${a.minReferrals})`,
})

export const showsInterest = factRule({
  code: 'shows_interest',
  title: '浏览、加购、下单未付、签到或问卷，或主动发起多次咨询',
  args: z.object({
    minInterestEvents: z.number().int().min(1).max(1000),
    minInboundChats: z.number().int().min(1).max(1000),
  }),
  check: (f, a) => f.interestEvents >= a.minInterestEvents || f.inboundChats >= a.minInboundChats,
  toSql: (a) =>
    sql`(${s('interest_events')} >= ${a.minInterestEvents} or ${s('inbound_chats')} >= ${a.minInboundChats})`,
})

export const sharesOrRefers = factRule({
  code: 'shares_or_refers',
  title: '主动分享过或推荐过好友',
  args: z.object({ minShares: z.number().int().min(1).max(1000) }),
  check: (f, a) => f.shares >= a.minShares || f.referrals >= 1,
  toSql: (a) => sql`(${s('shares')} >= ${a.minShares} or ${s('referrals')} >= 1)`,
})

export const activeAndSatisfied = factRule({
  code: 'active_and_satisfied',
  title: '近期活跃且近期没有投诉',
  args: z.object({
    activeDays: z.number().int().min(1).max(3650),
    noComplaintDays: z.number().int().min(1).max(3650),
  }),
  check: (f, a, now) =>
    (withinDays(f.lastSeenAt, now, a.activeDays) || withinDays(f.lastPaidAt, now, a.activeDays)) &&
    !withinDays(f.lastComplaintAt, now, a.noComplaintDays),
  toSql: (a, at) =>
    sql`((${withinDaysSql(statAt('m', 'last_seen_at'), at, a.activeDays)} or ${withinDaysSql(
      statAt('s', 'last_paid_at'),
      at,
      a.activeDays,
    )}) and not ${withinDaysSql(statAt('s', 'last_complaint_at'), at, a.noComplaintDays)})`,
})

/** Matches everybody: the fallback of an ordered rule list. */
export const always = factRule({
  code: 'always',
  title: '其余所有人',
  args: z.object({}),
  check: () => true,
  toSql: () => sql`true`,
})

/** Every rule a stage or repurchaser list may name. */
export const factRules = new RuleRegistry<FactRule>('会员阶段规则', [
  minPurchases,
  purchasesAndReferrals,
  showsInterest,
  sharesOrRefers,
  activeAndSatisfied,
  always,
])

/** A configured rule: which rule, with which arguments, leading to which outcome. */
export interface ConfiguredRule<T> {
  outcome: T
  code: string
  args: Record<string, unknown>
}

/** Validate a configured rule list once (unknown codes and bad args fail loudly at start). */
export function parseRules<T>(rules: ConfiguredRule<T>[]): ConfiguredRule<T>[] {
  return rules.map((r, i) => ({ ...r, args: factRules.parse(r, [i]).args as Record<string, unknown> }))
}

/** The first rule of the list that a member's facts satisfy decides the outcome. */
export function firstMatch<T>(rules: ConfiguredRule<T>[], facts: MemberFacts, now: Date): T | null {
  for (const r of rules) if (factRules.get(r.code).check(facts, r.args, now)) return r.outcome
  return null
}

/** The same decision as a SQL CASE over the statistics row `s`. */
export function firstMatchSql<T extends string>(rules: ConfiguredRule<T>[], at: Date, otherwise: SQL): SQL {
  if (rules.length === 0) return otherwise
  const whens = rules.map((r) => sql`when ${factRules.get(r.code).toSql(r.args, at)} then ${r.outcome}`)
  return sql`(case ${sql.join(whens, sql` `)} else ${otherwise} end)`
}

/** The stages, highest first; a member who matches none is a stranger. */
export const defaultStageRules: ConfiguredRule<LifecycleStage>[] = parseRules<LifecycleStage>([
  { outcome: 'super_user', code: 'purchases_and_referrals', args: { minPurchases: 2, minReferrals: 1 } },
  { outcome: 'repurchaser', code: 'min_purchases', args: { min: 2 } },
  { outcome: 'customer', code: 'min_purchases', args: { min: 1 } },
  { outcome: 'intention', code: 'shows_interest', args: { minInterestEvents: 1, minInboundChats: 2 } },
])

/**
 * Repurchasers (and super users) split three ways (seed 000): spontaneous — they already share or
 * refer; ignitable — active and satisfied but silent; non-combustible — the rest.
 */
export const defaultRepurchaserRules: ConfiguredRule<RepurchaserKind>[] = parseRules<RepurchaserKind>([
  { outcome: 'spontaneous', code: 'shares_or_refers', args: { minShares: 1 } },
  { outcome: 'ignitable', code: 'active_and_satisfied', args: { activeDays: 90, noComplaintDays: 90 } },
  { outcome: 'non_combustible', code: 'always', args: {} },
])

/** Stages whose members get a repurchaser label. */
export const labelledStages: LifecycleStage[] = ['repurchaser', 'super_user']

/** Pure: a member's stage and repurchaser label from their facts. */
export function judgeMember(
  facts: MemberFacts,
  now: Date,
  stageRules = defaultStageRules,
  kindRules = defaultRepurchaserRules,
): { stage: LifecycleStage; repurchaserKind: RepurchaserKind | null } {
  const stage = firstMatch(stageRules, facts, now) ?? 'stranger'
  const repurchaserKind = labelledStages.includes(stage) ? firstMatch(kindRules, facts, now) : null
  return { stage, repurchaserKind }
}
