// Advocate value on a scripted dataset whose answers are worked out by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember, operatorToken } from '../../test/support/factories'
import { makePaidOrder, makeSku, refundOrder, setJoinedAt } from '../../test/support/referral-fixtures'
import { operators } from '../db/schema/auth'
import { orders } from '../db/schema/orders'
import { attributeNewMember } from './attribution'
import { shareCodeOf } from './share-codes'
import { enrolPromoter, savePromoterLevel } from './promoters'
import { onReferredOrderPaid, onReferredOrderRefunded } from './order-attribution'
import { releaseFrozenCommissions } from './commissions'
import { actOnWithdrawal, requestWithdrawal } from './withdrawals'
import { advocateLeaderboard, advocateValues } from './advocates'

let database: Database
const T0 = new Date('2026-06-01T02:00:00Z')
const days = (d: number) => new Date(T0.getTime() + d * 86_400_000)
const ids: Record<string, number> = {}

beforeAll(async () => {
  database = await testDatabase()
  const db = database.db
  await savePromoterLevel(db, {
    code: 'gold',
    name: '金牌',
    rank: 2,
    tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 1000 } },
    tier2Rule: { code: 'percent_of_paid', args: { basisPoints: 300 } },
    isDefault: true,
  })
  await savePromoterLevel(db, {
    code: 'staff',
    name: '导购',
    rank: 1,
    tier1Rule: { code: 'fixed_per_order', args: { amountFen: 500 } },
  })
  const serum = await makeSku(db, { priceFen: 10_000, costFen: 4_000, title: '精华' })
  const mask = await makeSku(db, { priceFen: 5_000, costFen: 1_000, title: '面膜' })
  const member = async (name: string, joined = T0) => {
    const m = await makeMember(db, { name })
    await setJoinedAt(db, m.id, joined)
    ids[name] = m.id
    return m
  }
  const claim = async (refereeId: number, code: string) => attributeNewMember(db, { refereeId, code, at: T0 })

  const a = await member('阿美')
  const x = await member('老客', new Date('2025-01-01T00:00:00Z'))
  const b = await member('小白')
  const c = await member('小陈')
  const d = await member('小杜')
  const e = await member('小鄂')
  await enrolPromoter(db, { memberId: a.id }, { at: T0 })
  await operatorToken(db, 'staff')
  const [op] = await db.select().from(operators).orderBy(operators.id)
  ids.staff = op!.id
  await enrolPromoter(db, { operatorId: op!.id }, { levelCode: 'staff', at: T0 })

  const codeA = (await shareCodeOf(db, { memberId: a.id })).code
  const codeB = (await shareCodeOf(db, { memberId: b.id })).code
  const codeS = (await shareCodeOf(db, { operatorId: op!.id })).code
  await claim(x.id, codeA) // not new: a lead, not a referral
  await claim(b.id, codeA)
  await claim(c.id, codeA)
  await claim(b.id, codeA) // already attributed: still one lead
  await claim(d.id, codeB) // B brings D: A earns tier 2 on D's orders
  await claim(e.id, codeS) // staff brings E

  const pay = async (
    memberId: number,
    lines: Parameters<typeof makePaidOrder>[1]['lines'],
    at: Date,
    shippingFen = 0,
  ) => {
    const o = await makePaidOrder(db, { memberId, lines, at, shippingFen })
    await onReferredOrderPaid(db, o.id, at)
    return o
  }
  // B: o1 2×serum + ¥10 shipping = 21,000 paid; commission 10% of 20,000 = 2,000.
  await pay(b.id, [{ sku: serum, quantity: 2 }], days(1), 1_000)
  // B: o2 1×mask 5,000 paid, 2,000 refunded; commission 500 → 300.
  const o2 = await pay(b.id, [{ sku: mask, quantity: 1 }], days(2))
  await refundOrder(db, o2.id, 2_000, days(4))
  await onReferredOrderRefunded(db, o2.id, days(4))
  // B: o3 placed, never paid (cancelled).
  const o3 = await makePaidOrder(db, { memberId: b.id, lines: [{ sku: serum, quantity: 1 }], at: days(2) })
  await db.update(orders).set({ status: 'cancelled', paidAt: null }).where(eq(orders.id, o3.id))
  // B: o4 1×serum fully refunded; commission 1,000 → 0.
  const o4 = await pay(b.id, [{ sku: serum, quantity: 1 }], days(2))
  await refundOrder(db, o4.id, 10_000, days(4))
  await onReferredOrderRefunded(db, o4.id, days(4))
  // C: o5 1×mask 5,000; commission 500.
  await pay(c.id, [{ sku: mask, quantity: 1 }], days(3))
  // D (brought by B): o6 1×mask 5,000; A earns tier 2: 3% = 150. B is not a promoter.
  await pay(d.id, [{ sku: mask, quantity: 1 }], days(3))
  // E (brought by staff): o7 1×serum 10,000; staff earns 500.
  await pay(e.id, [{ sku: serum, quantity: 1 }], days(3))

  // A withdraws ¥10 after the return window.
  await releaseFrozenCommissions(db, days(30))
  const promoterA = (await enrolPromoter(db, { memberId: a.id }, { at: T0 })).promoter
  const w = await requestWithdrawal(db, { promoterId: promoterA.id, amountFen: 1_000, at: days(31) })
  await actOnWithdrawal(db, { withdrawalId: w.id, action: 'approve', at: days(31) })
  await actOnWithdrawal(db, { withdrawalId: w.id, action: 'pay', at: days(32) })
})
afterAll(async () => {
  await database.close()
})

describe('advocate value', () => {
  it('member advocate: leads, referrals, orders, revenue, gross margin, commission and return on relationship', async () => {
    const [a] = await advocateValues(database.db, { advocate: { kind: 'member', id: ids['阿美']! } })
    expect(a).toEqual({
      kind: 'member',
      advocateId: ids['阿美'],
      displayName: '阿美',
      memberNo: expect.stringMatching(/^M\d+$/),
      leads: 3, // 老客, 小白, 小陈
      referrals: 2, // 小白, 小陈
      customers: 2,
      orders: 3, // o1, o2, o5 (o3 never paid, o4 fully refunded)
      revenueFen: 29_000, // 21,000 + (5,000 − 2,000) + 5,000
      grossMarginFen: 18_000, // (21,000 − 1,000 − 8,000) + (3,000 − 1,000) + (5,000 − 1,000)
      commissionFen: 2_950, // 2,000 + 300 + 0 + 500 + tier 2 on D's order 150
      commissionPaidFen: 1_000,
      returnOnRelationship: 5.1, // (18,000 − 2,950) ÷ 2,950 = 5.10
    })
  })

  it('a referrer who is not a promoter has value but no commission; a staff advocate is judged the same way', async () => {
    const all = await advocateValues(database.db, { sort: 'revenue' })
    const b = all.find((v) => v.kind === 'member' && v.advocateId === ids['小白'])
    expect(b).toMatchObject({
      leads: 1,
      referrals: 1,
      orders: 1,
      revenueFen: 5_000,
      grossMarginFen: 4_000,
      commissionFen: 0,
    })
    expect(b!.returnOnRelationship).toBeNull()
    const staff = all.find((v) => v.kind === 'staff')
    expect(staff).toMatchObject({
      advocateId: ids.staff,
      displayName: '测试运营',
      memberNo: null,
      leads: 1,
      referrals: 1,
      revenueFen: 10_000,
      grossMarginFen: 6_000,
      commissionFen: 500,
      returnOnRelationship: 11,
    })
    expect(all.map((v) => v.revenueFen)).toEqual([...all.map((v) => v.revenueFen)].sort((x, y) => y - x))
  })

  it('a period limits referrals and orders to it', async () => {
    const [a] = await advocateValues(database.db, {
      advocate: { kind: 'member', id: ids['阿美']! },
      from: days(-1),
      to: days(2),
    })
    expect(a).toMatchObject({ referrals: 2, orders: 1, revenueFen: 21_000, grossMarginFen: 12_000 })
  })

  it('the leaderboard ranks advocates by referrals', async () => {
    const board = await advocateLeaderboard(database.db, { by: 'referrals', limit: 3 })
    expect(board.map((r) => [r.rank, r.displayName, r.referrals])).toEqual([
      [1, '阿美', 2],
      [2, '小白', 1],
      [3, '测试运营', 1],
    ])
  })
})
