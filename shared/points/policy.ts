// The points policy as data: how spend earns points, how long a grant lasts, what a referrer earns
// when a friend they brought buys. Each part is a rule ({code, args}) with a pure function; operators
// change the document, not the code. Level multipliers live on the levels themselves (tier_levels).
import { z } from 'zod'
import type { Db } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
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

export const expiryRuleSchema = z.discriminatedUnion('code', [
  /** Valid until the end of the calendar year after the grant (Asia/Shanghai). */
  z.object({ code: z.literal('end_of_following_year'), args: z.object({}).default({}) }),
  /** Valid for a number of days from the grant. */
  z.object({
    code: z.literal('days_after_grant'),
    args: z.object({ days: z.number().int().min(1).max(3660) }),
  }),
  z.object({ code: z.literal('never'), args: z.object({}).default({}) }),
])

export const referralRebateRuleSchema = z.discriminatedUnion('code', [
  /** The referrer earns a percentage of the points the friend's order earns at the base ratio. */
  z.object({
    code: z.literal('percent_of_order_points'),
    args: z.object({ pct: z.number().int().min(1).max(100) }),
  }),
  z.object({ code: z.literal('none'), args: z.object({}).default({}) }),
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
  const rule = policy.expiry
  switch (rule.code) {
    case 'end_of_following_year': {
      const year = new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear()
      return new Date(Date.UTC(year + 2, 0, 1) - SHANGHAI_OFFSET_MS)
    }
    case 'days_after_grant':
      return new Date(at.getTime() + rule.args.days * 86_400_000)
    case 'never':
      return null
  }
}

/** Pure: the referrer's rebate on a friend's order. */
export function referralRebatePoints(policy: PointsPolicy, payFen: number): number {
  const rule = policy.referralRebate
  if (rule.code === 'none') return 0
  return Math.floor((spendPoints(payFen, 100, policy.earning.args.fenPerPoint) * rule.args.pct) / 100)
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
