// Commission rules are data (shared/rules.ts): operators store `{code, args}` on a promoter level; each
// code names a pure function of the order. Amounts are integer fen, always rounded down, never above what the
// customer paid for the goods.
import { z } from 'zod'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import type { StoredRule } from '../db/schema/referral'

export interface CommissionOrderItem {
  quantity: number
  unitPriceFen: number
  unitCostFen: number
}

/** What a rule may look at: the amount paid, the shipping in it, and the goods with their cost. */
export interface CommissionOrder {
  payFen: number
  shippingFen: number
  items: readonly CommissionOrderItem[]
}

/** The amount commission is based on: what was paid, less shipping. */
export const goodsPaidFen = (o: CommissionOrder) => Math.max(0, o.payFen - o.shippingFen)
export const goodsCostFen = (o: CommissionOrder) =>
  o.items.reduce((sum, i) => sum + i.quantity * i.unitCostFen, 0)

export interface CommissionRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  compute(order: CommissionOrder, args: z.output<A>): number
}

const commissionRule = <A extends z.ZodType>(rule: CommissionRule<A>) => defineRule(rule)

const basisPoints = z.number().int().min(0).max(10_000, '比例不能超过 100%（10000 个基点）')

export const percentOfPaid = commissionRule({
  code: 'percent_of_paid',
  title: '按实付金额（不含运费）的比例，单位为基点（100 = 1%）',
  args: z.object({ basisPoints }).strict(),
  compute: (order, args) => Math.floor((goodsPaidFen(order) * args.basisPoints) / 10_000),
})

export const percentOfMargin = commissionRule({
  code: 'percent_of_margin',
  title: '按毛利（实付不含运费减商品成本）的比例，单位为基点',
  args: z.object({ basisPoints }).strict(),
  compute: (order, args) =>
    Math.floor((Math.max(0, goodsPaidFen(order) - goodsCostFen(order)) * args.basisPoints) / 10_000),
})

export const fixedPerOrder = commissionRule({
  code: 'fixed_per_order',
  title: '每笔订单固定金额（分），实付不含运费达到门槛才计',
  args: z
    .object({
      amountFen: z.number().int().min(0).max(10_000_000),
      minPaidFen: z.number().int().min(0).default(0),
    })
    .strict(),
  compute: (order, args) => (goodsPaidFen(order) >= args.minPaidFen ? args.amountFen : 0),
})

/** Every rule a promoter level may name. */
export const commissionRules = new RuleRegistry<CommissionRule>(
  '佣金规则',
  [percentOfPaid, percentOfMargin, fixedPerOrder],
  { invalidArgsCode: 'invalid_commission_rule' },
)

/** A stored rule as operators send it: a known code with arguments valid for that code. */
export const storedRuleSchema = commissionRules.checkedRowSchema

/** Commission in fen for one order under a stored rule; 0 for a rule the catalogue does not know. */
export function computeCommission(stored: StoredRule, order: CommissionOrder): number {
  if (!commissionRules.has(stored.code)) return 0
  const { rule, args } = commissionRules.parse(stored)
  const amount = rule.compute(order, args)
  return Math.max(0, Math.min(Math.floor(amount), goodsPaidFen(order)))
}
