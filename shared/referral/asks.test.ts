// The survey after a purchase and the ask list it produces: exactly the members whose latest answer
// is 9–10, who never brought anyone, and whom nobody has asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { makePaidOrder, makeSku, setJoinedAt, type TestSku } from '../../test/support/referral-fixtures'
import { memberEvents, members } from '../db/schema/members'
import { botAccounts } from '../db/schema/chat'
import { attributeNewMember } from './attribution'
import { shareCodeOf } from './share-codes'
import { answerSurvey, pendingSurvey } from './surveys'
import { recordReferralAsk, referralAskList } from './asks'

let database: Database
let sku: TestSku
const T0 = new Date('2026-07-01T02:00:00Z')
const days = (d: number) => new Date(T0.getTime() + d * 86_400_000)

beforeAll(async () => {
  database = await testDatabase()
  sku = await makeSku(database.db, { priceFen: 1_000, costFen: 300 })
})
afterAll(async () => {
  await database.close()
})

describe('the post-purchase survey', () => {
  it('asks about the latest unanswered purchase, records the answer once, as a member event', async () => {
    const db = database.db
    const m = await makeMember(db)
    const older = await makePaidOrder(db, { memberId: m.id, lines: [{ sku, quantity: 1 }], at: days(1) })
    const latest = await makePaidOrder(db, { memberId: m.id, lines: [{ sku, quantity: 1 }], at: days(2) })
    expect(await pendingSurvey(db, m.id, days(3))).toMatchObject({
      orderId: latest.id,
      orderNo: latest.orderNo,
    })

    await answerSurvey(db, {
      memberId: m.id,
      orderId: latest.id,
      score: 10,
      comment: '很好用',
      channel: 'mp',
      at: days(3),
    })
    expect((await pendingSurvey(db, m.id, days(3)))?.orderId).toBe(older.id)
    await expect(
      answerSurvey(db, { memberId: m.id, orderId: latest.id, score: 3, channel: 'mp', at: days(3) }),
    ).rejects.toMatchObject({ code: 'survey_already_answered', status: 409 })
    // Long after the purchase the survey is no longer offered.
    expect(await pendingSurvey(db, m.id, days(40))).toBeNull()

    const events = await db.select().from(memberEvents).where(eq(memberEvents.memberId, m.id))
    expect(
      events.map((e) => [
        e.type,
        (e.payload as { score: number; band: string }).score,
        (e.payload as { band: string }).band,
      ]),
    ).toEqual([['survey_answered', 10, 'promoter']])
  })

  it('refuses someone else’s order and scores outside 0–10', async () => {
    const db = database.db
    const m = await makeMember(db)
    const other = await makeMember(db)
    const o = await makePaidOrder(db, { memberId: other.id, lines: [{ sku, quantity: 1 }], at: days(1) })
    await expect(
      answerSurvey(db, { memberId: m.id, orderId: o.id, score: 9, channel: 'mp', at: days(2) }),
    ).rejects.toMatchObject({
      code: 'order_not_found',
    })
    await expect(
      answerSurvey(db, { memberId: m.id, score: 11, channel: 'chat', at: days(2) }),
    ).rejects.toThrow()
  })
})

describe('referralAskList', () => {
  it('contains exactly the satisfied members who never referred and were never asked', async () => {
    const db = database.db
    const [advisor] = await db
      .insert(botAccounts)
      .values({ name: 'advisor-ask', displayName: '小美 · 专属顾问' })
      .returning()
    const person = async (name: string) => {
      const m = await makeMember(db, { name })
      await setJoinedAt(db, m.id, T0)
      await db.update(members).set({ advisorAccountId: advisor!.id }).where(eq(members.id, m.id))
      return m
    }
    const say = (memberId: number, score: number, at: Date) =>
      answerSurvey(db, { memberId, score, channel: 'chat', at })

    const loyal = await person('十分但没推荐过') // 10, never referred → ask
    await say(loyal.id, 10, days(1))
    const nine = await person('九分') // 9, was herself referred, never referred anyone → ask
    await attributeNewMember(db, {
      refereeId: nine.id,
      code: (await shareCodeOf(db, { memberId: loyal.id })).code,
      at: T0,
    })
    await say(nine.id, 9, days(1))
    // That made `loyal` a referrer: she no longer belongs on the list.
    const referrer = await person('已推荐') // 10, already brought someone → no
    await say(referrer.id, 10, days(1))
    const friend = await person('朋友')
    await attributeNewMember(db, {
      refereeId: friend.id,
      code: (await shareCodeOf(db, { memberId: referrer.id })).code,
      at: T0,
    })
    const cooled = await person('后来不满意') // 10 then 6: latest counts → no
    await say(cooled.id, 10, days(1))
    await say(cooled.id, 6, days(2))
    const passive = await person('八分') // 8 → no
    await say(passive.id, 8, days(1))
    const asked = await person('已被邀请') // 9 but already asked → no
    await say(asked.id, 9, days(1))
    await recordReferralAsk(db, { memberId: asked.id, channel: 'chat', at: days(2), note: '顾问已私聊' })
    const merged = await person('已合并') // merged away → no
    await say(merged.id, 10, days(1))
    await db.update(members).set({ mergedIntoId: loyal.id }).where(eq(members.id, merged.id))
    const later = await person('还没回答') // answers after `at` → no
    await say(later.id, 10, days(5))
    const promoterToo = await person('九分二号') // 9, opted out of campaigns → yes, flagged
    await say(promoterToo.id, 9, days(0.5))
    await db
      .update(members)
      .set({ optedOutAt: days(1) })
      .where(eq(members.id, promoterToo.id))

    const list = await referralAskList(db, days(3), { advisorAccountId: advisor!.id })
    expect(list.map((a) => [a.name, a.score, a.optedOut])).toEqual([
      ['九分', 9, false],
      ['九分二号', 9, true],
    ])
    expect(list.every((a) => a.advisorAccountId === advisor!.id)).toBe(true)

    // Once asked, a member leaves the list.
    await recordReferralAsk(db, { memberId: nine.id, channel: 'campaign', at: days(3) })
    expect(
      (await referralAskList(db, days(3), { advisorAccountId: advisor!.id })).map((a) => a.name),
    ).toEqual(['九分二号'])
  })
})
