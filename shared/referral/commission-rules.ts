// Commission rules are data: operators store `{code, args}` on a promoter level; each code names a
// pure function of the order. Amounts are integer fen, always rounded down, never above what the
// customer paid for the goods.
import { z } from 'zod'
import { DomainError } from '../errors'
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

interface CommissionRuleDefinition<A extends z.ZodType> {
  code: string
  description: string
  args: A
  compute(order: CommissionOrder, args: z.output<A>): number
}

const defineRule = <A extends z.ZodType>(rule: CommissionRuleDefinition<A>) => rule

const basisPoints = z.number().int().min(0).max(10_000, '比例不能超过 100%（10000 个基点）')

export const percentOfPaid = defineRule({
  code: 'percent_of_paid',
  description: '按实付金额（不含运费）的比例，单位为基点（100 = 1%）',
  args: z.object({ basisPoints }).strict(),
  compute: (order, args) => Math.floor((goodsPaidFen(order) * args.basisPoints) / 10_000),
})

export const percentOfMargin = defineRule({
  code: 'percent_of_margin',
  description: '按毛利（实付不含运费减商品成本）的比例，单位为基点',
  args: z.object({ basisPoints }).strict(),
  compute: (order, args) =>
    Math.floor((Math.max(0, goodsPaidFen(order) - goodsCostFen(order)) * args.basisPoints) / 10_000),
})

export const fixedPerOrder = defineRule({
  code: 'fixed_per_order',
  description: '每笔订单固定金额（分），实付不含运费达到门槛才计',
  args: z
    .object({
      amountFen: z.number().int().min(0).max(10_000_000),
      minPaidFen: z.number().int().min(0).default(0),
    })
    .strict(),
  compute: (order, args) => (goodsPaidFen(order) >= args.minPaidFen ? args.amountFen : 0),
})

export const commissionRuleCatalogue = [percentOfPaid, percentOfMargin, fixedPerOrder] as const
export const commissionRuleCodes = commissionRuleCatalogue.map((r) => r.code) as [string, ...string[]]

const byCode = new Map<string, CommissionRuleDefinition<z.ZodType>>(
  commissionRuleCatalogue.map((r) => [r.code, r as unknown as CommissionRuleDefinition<z.ZodType>]),
)

/** A stored rule as operators send it: a known code with arguments valid for that code. */
export const storedRuleSchema = z
  .object({ code: z.enum(commissionRuleCodes), args: z.record(z.string(), z.unknown()).default({}) })
  .superRefine((value, ctx) => {
    const rule = byCode.get(value.code)
    const parsed = rule?.args.safeParse(value.args)
    if (parsed && !parsed.success)
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: ['args', ...issue.path.map(String)], message: issue.message })
  })

/** Commission in fen for one order under a stored rule; 0 for a rule the catalogue does not know. */
export function computeCommission(stored: StoredRule, order: CommissionOrder): number {
  const rule = byCode.get(stored.code)
  if (!rule) return 0
  const args = rule.args.safeParse(stored.args)
  if (!args.success) {
    throw new DomainError('invalid_commission_rule', `佣金规则 ${stored.code} 的参数不正确`, 400)
  }
  const amount = rule.compute(order, args.data)
  return Math.max(0, Math.min(Math.floor(amount), goodsPaidFen(order)))
}
