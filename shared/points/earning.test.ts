import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { seedReferenceData } from '../demo/seed'
import { orders } from '../db/schema/orders'
import { referrals } from '../db/schema/referral'
import { pointsEntries } from '../db/schema/loyalty'
import {
  awardPointsForOrder,
  defaultPointsExpiry,
  rebatePointsForReferredOrder,
  reversePointsForOrder,
  reverseReferralRebate,
} from './earning'
import { savePointsPolicy, spendPoints } from './policy'
import { setMemberLevel } from '../tiers/ladders'
import { pointsBalance } from './ledger'

let database: Database
const at = new Date('2026-06-01T04:00:00Z')
let n = 0

beforeAll(async () => {
  database = await testDatabase()
  await seedReferenceData(database.db)
})
afterAll(async () => {
  await database.close()
})

async function paidOrder(memberId: number, payFen: number, referrerId?: number) {
  const [o] = await database.db
    .insert(orders)
    .values({
      orderNo: `E${++n}`,
      memberId,
      status: 'paid',
      itemsFen: payFen,
      payFen,
      paidAt: at,
      referrerId,
    })
    .returning()
  return o!
}

describe('earning by the points policy', () => {
  it('pure: the default ratio is 1 point per yuan, times the multiplier; grants last to the end of next year', () => {
    expect(spendPoints(12_345, 100, 100)).toBe(123)
    expect(spendPoints(12_345, 150, 100)).toBe(184)
    expect(spendPoints(12_345, 100, 1000)).toBe(12)
    expect(defaultPointsExpiry(new Date('2026-12-31T15:59:00Z'))).toEqual(new Date('2027-12-31T16:00:00Z'))
  })

  it('a paid order earns at the policy ratio and the best level multiplier, once', async () => {
    const m = await makeMember(database.db)
    await setMemberLevel(
      database.db,
      { memberId: m.id, ladderCode: 'vip', levelCode: 'V2', reason: '测试' },
      at,
    )
    const o = await paidOrder(m.id, 20_000)
    expect((await awardPointsForOrder(database.db, o.id, at))!.entry.amount).toBe(300) // ¥200 × 1.5
    expect((await awardPointsForOrder(database.db, o.id, at))!.duplicate).toBe(true)

    await savePointsPolicy(
      database.db,
      {
        earning: { code: 'spend_ratio', args: { fenPerPoint: 1000, tierMultiplier: false } },
        expiry: { code: 'days_after_grant', args: { days: 90 } },
        referralRebate: { code: 'none', args: {} },
      },
      at,
    )
    const o2 = await paidOrder(m.id, 20_000)
    const r = await awardPointsForOrder(database.db, o2.id, at)
    expect(r!.entry.amount).toBe(20)
    expect(r!.entry.expiresAt).toEqual(new Date(at.getTime() + 90 * 86_400_000))
    const friendOfM = await makeMember(database.db)
    expect(await rebatePointsForReferredOrder(database.db, o2.id, friendOfM.id, at)).toBeNull()
  })

  it("a referred friend's purchase rebates points to the referrer, and a refund takes them back", async () => {
    await savePointsPolicy(
      database.db,
      {
        earning: { code: 'spend_ratio', args: { fenPerPoint: 100, tierMultiplier: true } },
        expiry: { code: 'end_of_following_year', args: {} },
        referralRebate: { code: 'percent_of_order_points', args: { pct: 10 } },
      },
      at,
    )
    const referrer = await makeMember(database.db)
    const friend = await makeMember(database.db)
    await database.db
      .insert(referrals)
      .values({ referrerId: referrer.id, refereeId: friend.id, attributedAt: at })
    const o = await paidOrder(friend.id, 39_900)
    const r = await rebatePointsForReferredOrder(database.db, o.id, referrer.id, at)
    expect(r).toMatchObject({ referrerId: referrer.id, entry: { amount: 39 } })
    expect((await rebatePointsForReferredOrder(database.db, o.id, referrer.id, at))!.duplicate).toBe(true)
    await awardPointsForOrder(database.db, o.id, at)
    expect(await pointsBalance(database.db, friend.id, at)).toBe(399)

    await database.db
      .update(orders)
      .set({ status: 'refunded', refundedFen: 39_900 })
      .where(eq(orders.id, o.id))
    expect((await reverseReferralRebate(database.db, o.orderNo, at))!.entry.amount).toBe(-39)
    expect((await reversePointsForOrder(database.db, o.orderNo, at))!.entry.amount).toBe(-399)
    expect(await pointsBalance(database.db, referrer.id, at)).toBe(0)
    expect(await pointsBalance(database.db, friend.id, at)).toBe(0)
    const kinds = await database.db
      .select({ kind: pointsEntries.kind })
      .from(pointsEntries)
      .where(eq(pointsEntries.memberId, friend.id))
    expect(kinds.map((k) => k.kind).sort()).toEqual(['earn', 'reverse'])
  })
})
