import { describe, expect, it } from 'vitest'
import { computeCommission, goodsPaidFen, storedRuleSchema, type CommissionOrder } from './commission-rules'

const order: CommissionOrder = {
  payFen: 31_000,
  shippingFen: 1_000,
  items: [
    { quantity: 2, unitPriceFen: 10_000, unitCostFen: 4_000 },
    { quantity: 1, unitPriceFen: 10_000, unitCostFen: 3_000 },
  ],
}

describe('commission rules', () => {
  it('percent_of_paid takes basis points of what was paid, less shipping', () => {
    expect(goodsPaidFen(order)).toBe(30_000)
    expect(computeCommission({ code: 'percent_of_paid', args: { basisPoints: 1000 } }, order)).toBe(3_000)
    expect(computeCommission({ code: 'percent_of_paid', args: { basisPoints: 333 } }, order)).toBe(999)
  })

  it('percent_of_margin uses paid less the cost of the goods', () => {
    // margin = 30,000 - (2×4,000 + 3,000) = 19,000
    expect(computeCommission({ code: 'percent_of_margin', args: { basisPoints: 2000 } }, order)).toBe(3_800)
    const loss = { ...order, payFen: 9_000 }
    expect(computeCommission({ code: 'percent_of_margin', args: { basisPoints: 2000 } }, loss)).toBe(0)
  })

  it('fixed_per_order pays a set amount above a threshold, never more than was paid', () => {
    expect(
      computeCommission({ code: 'fixed_per_order', args: { amountFen: 500, minPaidFen: 20_000 } }, order),
    ).toBe(500)
    expect(
      computeCommission({ code: 'fixed_per_order', args: { amountFen: 500, minPaidFen: 40_000 } }, order),
    ).toBe(0)
    const tiny = { payFen: 300, shippingFen: 0, items: [] }
    expect(computeCommission({ code: 'fixed_per_order', args: { amountFen: 500 } }, tiny)).toBe(300)
  })

  it('an unknown code earns nothing; bad arguments are refused', () => {
    expect(computeCommission({ code: 'mystery', args: {} }, order)).toBe(0)
    expect(() => computeCommission({ code: 'percent_of_paid', args: { basisPoints: -1 } }, order)).toThrow(
      /参数不正确/,
    )
  })

  it('the stored-rule schema names the bad argument', () => {
    const bad = storedRuleSchema.safeParse({ code: 'percent_of_paid', args: { basisPoints: 20_000 } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]!.path).toEqual(['args', 'basisPoints'])
    expect(storedRuleSchema.safeParse({ code: 'nope', args: {} }).success).toBe(false)
    expect(storedRuleSchema.parse({ code: 'fixed_per_order', args: { amountFen: 100 } }).code).toBe(
      'fixed_per_order',
    )
  })
})
