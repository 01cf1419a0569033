// The points policy as data: how spend earns points, how long a grant lasts, what a referrer earns
// when a friend they brought buys. Each part is a rule ({code, args}) with a pure function, its kind's
// rules in one registry (shared/rules.ts); operators change the document, not the code. Level multipliers live on the levels themselves (tier_levels).
import { z } from 'zod'
import type { Db } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import { defineSetting, readSetting, saveSetting } from '../settings/settings'

export const earningRuleSchema = z.object({
  code: z.literal('spend_ratio'),
  args: z.object({
    /**
     * Fen a member must pay to earn one point, before the multiplier: 100 = 1 point per yuan. (What a
     * point is worth when it pays for an order is the store's `pointValueFen`, shared/orders/pricing.ts.)
     */
    fenPerPoint: z.number().int().min(1).max(1_000_000),
    /** Apply the best points multiplier among the member's current levels. */
    tierMultiplier: z.boolean().default(true),
  }),
})

/** How long a grant made at `at` lasts: its expiry, or null for never. */
export interface ExpiryRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  apply(at: Date, args: z.output<A>): Date | null
}
const expiryRule = <A extends z.ZodType>(rule: ExpiryRule<A>) => defineRule(rule)

/** Valid until the end of the calendar year after the grant (Asia/Shanghai). */
const endOfFollowingYear = expiryRule({
  code: 'end_of_following_year',
  title: '有效期至发放次年的年底（北京时间）',
  args: z.object({}).default({}),
  apply(at) {
    const year = new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear()
    return new Date(Date.UTC(year + 2, 0, 1) - SHANGHAI_OFFSET_MS)
  },
})

/** Valid for a number of days from the grant. */
const daysAfterGrant = expiryRule({
  code: 'days_after_grant',
  title: '自发放起有效若干天',
  args: z.object({ days: z.number().int().min(1).max(3660) }),
  apply: (at, args) => new Date(at.getTime() + args.days * 86_400_000),
})

const neverExpires = expiryRule({
  code: 'never',
  title: '永久有效',
  args: z.object({}).default({}),
  apply: () => null,
})

export const expiryRules = new RuleRegistry<ExpiryRule>('积分有效期规则', [
  endOfFollowingYear,
  daysAfterGrant,
  neverExpires,
])

export const expiryRuleSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('end_of_following_year'), args: endOfFollowingYear.args }),
  z.object({ code: z.literal('days_after_grant'), args: daysAfterGrant.args }),
  z.object({ code: z.literal('never'), args: neverExpires.args }),
])

/** The referrer's points on an order of a friend they brought. */
export interface ReferralRebateRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  apply(args: z.output<A>, order: { payFen: number; fenPerPoint: number }): number
}
const rebateRule = <A extends z.ZodType>(rule: ReferralRebateRule<A>) => defineRule(rule)

/** The referrer earns a percentage of the points the friend's order earns at the base ratio. */
const percentOfOrderPoints = rebateRule({
  code: 'percent_of_order_points',
  title: '按好友订单基础积分的百分比返给推荐人',
  args: z.object({ pct: z.number().int().min(1).max(100) }),
  apply: (args, order) => Math.floor((spendPoints(order.payFen, 100, order.fenPerPoint) * args.pct) / 100),
})

const noRebate = rebateRule({
  code: 'none',
  title: '不返积分',
  args: z.object({}).default({}),
  apply: () => 0,
})

export const referralRebateRules = new RuleRegistry<ReferralRebateRule>('推荐返积分规则', [
  percentOfOrderPoints,
  noRebate,
])

export const referralRebateRuleSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('percent_of_order_points'), args: percentOfOrderPoints.args }),
  z.object({ code: z.literal('none'), args: noRebate.args }),
])

export const pointsPolicySchema = z.object({
  earning: earningRuleSchema,
  expiry: expiryRuleSchema,
  referralRebate: referralRebateRuleSchema,
})
export type PointsPolicy = z.infer<typeof pointsPolicySchema>

export const defaultPointsPolicy: PointsPolicy = {
  earning: { code: 'spend_ratio', args: { fenPerPoint: 100, tierMultiplier: true } },
  expiry: { code: 'end_of_following_year', args: {} },
  referralRebate: { code: 'percent_of_order_points', args: { pct: 10 } },
}

/** Pure: points an amount paid earns at a ratio and a multiplier (percent). */
export function spendPoints(payFen: number, multiplierPct: number, fenPerPoint: number): number {
  return Math.floor((Math.floor(payFen / fenPerPoint) * multiplierPct) / 100)
}

/** Pure: when a grant made at `at` expires under the policy (null = never). */
export function grantExpiry(policy: PointsPolicy, at: Date): Date | null {
  return expiryRules.get(policy.expiry.code).apply(at, policy.expiry.args)
}

/** Pure: the referrer's rebate on a friend's order. */
export function referralRebatePoints(policy: PointsPolicy, payFen: number): number {
  const { code, args } = policy.referralRebate
  return referralRebateRules.get(code).apply(args, { payFen, fenPerPoint: policy.earning.args.fenPerPoint })
}

/** The points policy as operators store it (settings with history); the code holds the default. */
export const pointsPolicySetting = defineSetting({
  key: 'points_policy',
  name: '积分规则',
  schema: pointsPolicySchema,
  defaultValue: defaultPointsPolicy,
})

export async function loadPointsPolicy(db: Db): Promise<PointsPolicy> {
  return readSetting(db, pointsPolicySetting)
}

export async function savePointsPolicy(
  db: Db,
  policy: PointsPolicy,
  at: Date,
  operatorId?: number,
): Promise<PointsPolicy> {
  return (await saveSetting(db, pointsPolicySetting, policy, { at, operatorId })).value
}
