import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { onPostgresServer, testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { seedReferenceData } from '../demo/seed'
import { seedLoyaltyDemo } from '../demo/loyalty'
import { setMemberLevel } from '../tiers/ladders'
import { birthdayIn, grantBirthdayGifts, memberBenefits, memberDiscountPct, useBenefit } from './quotas'
import { pointsBalance } from '../points/ledger'

let database: Database
const at = new Date('2026-06-01T04:00:00Z')

beforeAll(async () => {
  database = await testDatabase({ poolMax: 30 })
  await seedReferenceData(database.db)
  await seedLoyaltyDemo(database.db, at)
})
afterAll(async () => {
  await database.close()
})

async function v2Member(input: Parameters<typeof makeMember>[1] = {}) {
  const m = await makeMember(database.db, input)
  await setMemberLevel(
    database.db,
    { memberId: m.id, ladderCode: 'vip', levelCode: 'V2', reason: '测试' },
    at,
  )
  return m
}

describe('benefits', () => {
  it('a V2 member holds the V2 quotas and member price; nothing used yet', async () => {
    const m = await v2Member()
    const held = await memberBenefits(database.db, m.id, at)
    expect(held.find((b) => b.code === 'free_return_shipping')).toMatchObject({
      quota: 4,
      used: 0,
      remaining: 4,
      periodKey: '2026',
    })
    expect(await memberDiscountPct(database.db, m.id, at)).toBe(90)
  })

  it('records uses against the yearly quota, refuses the one over it with a clear 409, and resets next year', async () => {
    const m = await v2Member()
    for (let i = 1; i <= 4; i++) {
      const r = await useBenefit(
        database.db,
        { memberId: m.id, benefitCode: 'free_return_shipping', requestId: `ret-${m.id}-${i}` },
        at,
      )
      expect(r.used).toBe(i)
    }
    // A retried request is the same use, not a fifth one.
    expect(
      (
        await useBenefit(
          database.db,
          { memberId: m.id, benefitCode: 'free_return_shipping', requestId: `ret-${m.id}-4` },
          at,
        )
      ).duplicate,
    ).toBe(true)
    await expect(
      useBenefit(
        database.db,
        { memberId: m.id, benefitCode: 'free_return_shipping', requestId: `ret-${m.id}-5` },
        at,
      ),
    ).rejects.toMatchObject({
      code: 'benefit_quota_exhausted',
      status: 409,
      message: '「免费退换货运费」本年度次数已用完（4/4）',
    })
    const nextYear = new Date('2027-01-02T04:00:00Z')
    await setMemberLevel(
      database.db,
      { memberId: m.id, ladderCode: 'vip', levelCode: 'V2', reason: '续期' },
      nextYear,
    )
    expect(
      (
        await useBenefit(
          database.db,
          { memberId: m.id, benefitCode: 'free_return_shipping', requestId: `ret-${m.id}-6` },
          nextYear,
        )
      ).used,
    ).toBe(1)
  })

  it("refuses a benefit the member's levels do not include", async () => {
    const m = await makeMember(database.db)
    await expect(
      useBenefit(
        database.db,
        { memberId: m.id, benefitCode: 'styling_session', requestId: `s-${m.id}-1` },
        at,
      ),
    ).rejects.toMatchObject({ code: 'benefit_not_held', status: 403 })
  })

  it('a friend pass is used by a friend who is a member, never by the holder', async () => {
    const m = await v2Member()
    const friend = await makeMember(database.db, { identities: [{ kind: 'phone', value: '13600001234' }] })
    await expect(
      useBenefit(
        database.db,
        { memberId: m.id, benefitCode: 'friend_trial_kit', requestId: `f-${m.id}-0` },
        at,
      ),
    ).rejects.toMatchObject({ code: 'friend_required' })
    await expect(
      useBenefit(
        database.db,
        {
          memberId: m.id,
          benefitCode: 'friend_trial_kit',
          requestId: `f-${m.id}-1`,
          friendPhone: '13600009999',
        },
        at,
      ),
    ).rejects.toMatchObject({ code: 'friend_not_member' })
    const r = await useBenefit(
      database.db,
      {
        memberId: m.id,
        benefitCode: 'friend_trial_kit',
        requestId: `f-${m.id}-2`,
        friendPhone: '13600001234',
      },
      at,
    )
    expect(r.usage.friendMemberId).toBe(friend.id)
    expect(r).toMatchObject({ quota: 2, used: 1 })
  })

  it.runIf(onPostgresServer())('10 concurrent uses of a quota of 4: exactly 4 recorded', async () => {
    const m = await v2Member()
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        useBenefit(
          database.db,
          { memberId: m.id, benefitCode: 'free_return_shipping', requestId: `c-${m.id}-${i}` },
          at,
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4)
    expect(
      (await memberBenefits(database.db, m.id, at)).find((b) => b.code === 'free_return_shipping')!.used,
    ).toBe(4)
  })

  it('birthday gifts: points on the day (solar or lunar), once a year, only for levels that include one', async () => {
    const today = new Date('2026-09-25T01:00:00Z') // 2026-09-25 in Shanghai = 八月十五 (lunar)
    const solar = await v2Member({ birthday: '1990-09-25' })
    const lunar = await v2Member({ birthday: '1988-08-15', birthdayCalendar: 'lunar' })
    const noLevel = await makeMember(database.db, { birthday: '1991-09-25' })
    for (const m of [solar, lunar])
      await setMemberLevel(
        database.db,
        { memberId: m.id, ladderCode: 'vip', levelCode: 'V2', reason: '续期' },
        today,
      )
    const r = await grantBirthdayGifts(database.db, today)
    expect(r).toEqual({ members: 2, points: 400 })
    expect(await pointsBalance(database.db, solar.id, today)).toBe(200)
    expect(await pointsBalance(database.db, lunar.id, today)).toBe(200)
    expect(await pointsBalance(database.db, noLevel.id, today)).toBe(0)
    expect(await grantBirthdayGifts(database.db, today)).toEqual({ members: 0, points: 0 })
  })

  it('a 29 February birthday is celebrated on 28 February in a common year', () => {
    expect(birthdayIn(2027, '2000-02-29', 'solar')).toBe('2027-02-28')
    expect(birthdayIn(2028, '2000-02-29', 'solar')).toBe('2028-02-29')
    expect(birthdayIn(2026, '1988-08-15', 'lunar')).toBe('2026-09-25')
  })
})
