// Attribution against a real database: first touch, the window, no self-referral, no loops, and (on
// the PostgreSQL server) concurrent sign-ups each attributed exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase, onPostgresServer } from '../../test/support/db'
import { makeMember, operatorToken } from '../../test/support/factories'
import { setJoinedAt } from '../../test/support/referral-fixtures'
import { memberEvents, members } from '../db/schema/members'
import { operators } from '../db/schema/auth'
import { referralTouches, referrals } from '../db/schema/referral'
import { attributeNewMember, ancestorIdsOf } from './attribution'
import { shareCodeOf, findShareCode, SCENE_PATTERN } from './share-codes'
import { updateReferralSettings } from './settings'

let database: Database
const T0 = new Date('2026-04-01T02:00:00Z')
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000)

beforeAll(async () => {
  database = await testDatabase({ poolMax: 30 })
})
afterAll(async () => {
  await database.close()
})

async function newMember(joinedAt = T0) {
  const m = await makeMember(database.db)
  await setJoinedAt(database.db, m.id, joinedAt)
  return m
}

async function codeOf(memberId: number) {
  return (await shareCodeOf(database.db, { memberId })).code
}

describe('share codes', () => {
  it('one code per sharer, usable as a mini-program scene, found however it is typed', async () => {
    const m = await newMember()
    const a = await shareCodeOf(database.db, { memberId: m.id })
    const b = await shareCodeOf(database.db, { memberId: m.id })
    expect(b.code).toBe(a.code)
    expect(a.code.length).toBeLessThanOrEqual(32)
    expect(a.code).toMatch(SCENE_PATTERN)
    expect((await findShareCode(database.db, ` ${a.code.toLowerCase()} `))?.memberId).toBe(m.id)
    expect(await findShareCode(database.db, 'no such code')).toBeNull()
  })

  it('concurrent first uses agree on one code', async () => {
    const m = await newMember()
    const codes = await Promise.all(
      Array.from({ length: 8 }, () => shareCodeOf(database.db, { memberId: m.id })),
    )
    expect(new Set(codes.map((c) => c.code)).size).toBe(1)
  })
})

describe('attributeNewMember', () => {
  it('attributes a new member to the sharer, records the touch and the referrer’s event', async () => {
    const sharer = await newMember()
    const code = await codeOf(sharer.id)
    const friend = await newMember(hours(1))
    const r = await attributeNewMember(database.db, { refereeId: friend.id, code, at: hours(2) })
    expect(r.outcome).toBe('attributed')
    expect(r.referral).toMatchObject({ referrerId: sharer.id, refereeId: friend.id, code })
    const touches = await database.db
      .select()
      .from(referralTouches)
      .where(eq(referralTouches.memberId, friend.id))
    expect(touches.map((t) => t.outcome)).toEqual(['attributed'])
    const events = await database.db.select().from(memberEvents).where(eq(memberEvents.memberId, sharer.id))
    expect(events.map((e) => [e.type, (e.payload as { refereeId: number }).refereeId])).toEqual([
      ['referral', friend.id],
    ])
  })

  it('first touch wins: a second code does not move the member', async () => {
    const first = await newMember()
    const second = await newMember()
    const friend = await newMember(hours(1))
    await attributeNewMember(database.db, {
      refereeId: friend.id,
      code: await codeOf(first.id),
      at: hours(2),
    })
    const again = await attributeNewMember(database.db, {
      refereeId: friend.id,
      code: await codeOf(second.id),
      at: hours(3),
    })
    expect(again.outcome).toBe('already_attributed')
    expect(again.referral?.referrerId).toBe(first.id)
    // The second sharer still gets the lead.
    const [{ n }] = (await database.db
      .select({ n: count() })
      .from(referralTouches)
      .where(eq(referralTouches.code, await codeOf(second.id)))) as [{ n: number }]
    expect(n).toBe(1)
  })

  it('the window: a member older than it is not new; the window is configurable', async () => {
    const sharer = await newMember()
    const code = await codeOf(sharer.id)
    const old = await newMember(T0)
    expect((await attributeNewMember(database.db, { refereeId: old.id, code, at: hours(73) })).outcome).toBe(
      'not_new',
    )
    await updateReferralSettings(database.db, { attributionWindowHours: 24 * 7 }, hours(73))
    try {
      expect(
        (await attributeNewMember(database.db, { refereeId: old.id, code, at: hours(73) })).outcome,
      ).toBe('attributed')
    } finally {
      await updateReferralSettings(database.db, { attributionWindowHours: 72 }, hours(73))
    }
    const late = await newMember(T0)
    expect((await attributeNewMember(database.db, { refereeId: late.id, code, at: hours(72) })).outcome).toBe(
      'attributed',
    )
  })

  it('refuses self-referral and records no lead for it', async () => {
    const m = await newMember()
    const r = await attributeNewMember(database.db, {
      refereeId: m.id,
      code: await codeOf(m.id),
      at: hours(1),
    })
    expect(r.outcome).toBe('self_referral')
    expect(r.referral).toBeNull()
    expect(
      await database.db.select().from(referralTouches).where(eq(referralTouches.memberId, m.id)),
    ).toEqual([])
  })

  it('refuses cycles: A→B→A, and A→B→C→A', async () => {
    const a = await newMember()
    const b = await newMember()
    const c = await newMember()
    expect(
      (await attributeNewMember(database.db, { refereeId: b.id, code: await codeOf(a.id), at: hours(1) }))
        .outcome,
    ).toBe('attributed')
    expect(
      (await attributeNewMember(database.db, { refereeId: a.id, code: await codeOf(b.id), at: hours(1) }))
        .outcome,
    ).toBe('cycle')
    expect(
      (await attributeNewMember(database.db, { refereeId: c.id, code: await codeOf(b.id), at: hours(1) }))
        .outcome,
    ).toBe('attributed')
    expect(
      (await attributeNewMember(database.db, { refereeId: a.id, code: await codeOf(c.id), at: hours(1) }))
        .outcome,
    ).toBe('cycle')
    expect(await ancestorIdsOf(database.db, c.id)).toEqual([b.id, a.id])
    const [row] = await database.db.select().from(referrals).where(eq(referrals.refereeId, a.id))
    expect(row).toBeUndefined()
  })

  it('a staff promoter’s code brings members too', async () => {
    await operatorToken(database.db, 'staff')
    const [op] = await database.db
      .select()
      .from(operators)
      .orderBy(sql`id desc`)
      .limit(1)
    const { code } = await shareCodeOf(database.db, { operatorId: op!.id })
    const friend = await newMember()
    const r = await attributeNewMember(database.db, { refereeId: friend.id, code, at: hours(1) })
    expect(r.outcome).toBe('attributed')
    expect(r.referral).toMatchObject({ referrerId: null, referrerOperatorId: op!.id })
  })

  it('a code whose owner was merged into another member brings members to the survivor', async () => {
    const absorbed = await newMember()
    const survivor = await newMember()
    const code = await codeOf(absorbed.id)
    await database.db.update(members).set({ mergedIntoId: survivor.id }).where(eq(members.id, absorbed.id))
    const friend = await newMember()
    const r = await attributeNewMember(database.db, { refereeId: friend.id, code, at: hours(1) })
    expect(r.referral?.referrerId).toBe(survivor.id)
  })

  it('an unknown code is a 404', async () => {
    const m = await newMember()
    await expect(
      attributeNewMember(database.db, { refereeId: m.id, code: 'ZZZZ9999', at: hours(1) }),
    ).rejects.toMatchObject({ code: 'share_code_not_found', status: 404 })
  })
})

describe.runIf(onPostgresServer())('under concurrency (PostgreSQL server)', () => {
  it('200 concurrent sign-ups through one code are each attributed once', async () => {
    const sharer = await newMember()
    const code = await codeOf(sharer.id)
    const friends = []
    for (let i = 0; i < 200; i++) friends.push(await newMember(hours(1)))
    // Every friend claims twice at once (the mini-program retries): 400 claims in flight.
    const claims = friends.flatMap((f) =>
      [f, f].map((m) => attributeNewMember(database.db, { refereeId: m.id, code, at: hours(2) })),
    )
    const outcomes = (await Promise.all(claims)).map((r) => r.outcome)
    expect(outcomes.filter((o) => o === 'attributed')).toHaveLength(200)
    expect(outcomes.filter((o) => o === 'already_attributed')).toHaveLength(200)
    const rows = await database.db.select().from(referrals).where(eq(referrals.referrerId, sharer.id))
    expect(rows).toHaveLength(200)
    expect(new Set(rows.map((r) => r.refereeId)).size).toBe(200)
  })

  it('two members claiming each other’s codes at once never close a loop', async () => {
    const pairs = []
    for (let i = 0; i < 25; i++) pairs.push([await newMember(), await newMember()] as const)
    const results = await Promise.all(
      pairs.flatMap(([a, b]) => [
        (async () =>
          attributeNewMember(database.db, { refereeId: a.id, code: await codeOf(b.id), at: hours(1) }))(),
        (async () =>
          attributeNewMember(database.db, { refereeId: b.id, code: await codeOf(a.id), at: hours(1) }))(),
      ]),
    )
    for (let i = 0; i < pairs.length; i++) {
      expect([results[2 * i]!.outcome, results[2 * i + 1]!.outcome].sort()).toEqual(['attributed', 'cycle'])
    }
  })
})
