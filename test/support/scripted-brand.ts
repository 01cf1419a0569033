// A tiny brand whose report figures are known by hand, for the report tests (service and HTTP).
// Times are chosen on the edges of Shanghai days and months; the expected answers sit beside the data.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../shared/db/client'
import { seedReferenceData } from '../../shared/demo/seed'
import { memberEvents, memberIdentities, members, type MemberEventType } from '../../shared/db/schema/members'
import { orders, type OrderStatus } from '../../shared/db/schema/orders'
import { referrals } from '../../shared/db/schema/referral'
import { memberTiers, pointsAccounts, tierLadders, tierLevels } from '../../shared/db/schema/loyalty'

/** "Now" for the scripted brand: 2026-03-20 12:00 in Shanghai. */
export const scriptedNow = new Date('2026-03-20T04:00:00Z')
/** The period the answers are for: 1–15 March 2026, Shanghai calendar days. */
export const scriptedPeriod = { from: '2026-03-01', to: '2026-03-15' }

export type ScriptedMembers = Record<
  'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H',
  { id: number; memberNo: string }
>

/**
 * A super user who brought C and E; B a repurchaser; C, D, E joined in the period; F joined half an
 * hour before it; G was merged into A; H buys without any recorded event.
 */
export async function seedScriptedBrand(db: Db): Promise<ScriptedMembers> {
  await seedReferenceData(db)
  const person = async (
    key: keyof ScriptedMembers,
    name: string | null,
    stage: (typeof members.$inferInsert)['stage'],
    createdAt: string,
    phone: string | null,
  ) => {
    const [m] = await db
      .insert(members)
      .values({ name, nickname: `昵称${key}`, stage, createdAt: new Date(createdAt), source: 'test' })
      .returning({ id: members.id, memberNo: members.memberNo })
    if (phone) await db.insert(memberIdentities).values({ memberId: m!.id, kind: 'phone', value: phone })
    return [key, m!] as const
  }
  const list = [
    await person('A', '王晓丽', 'super_user', '2025-12-10T02:00:00Z', '13800001111'),
    await person('B', '李静', 'repurchaser', '2026-01-05T02:00:00Z', '13900002222'),
    await person('C', '张敏', 'customer', '2026-03-02T02:00:00Z', '13700003333'),
    // 01:00 on 15 March in Shanghai: the last day of the period.
    await person('D', null, 'stranger', '2026-03-14T17:00:00Z', null),
    // 00:30 on 1 March in Shanghai: the first day of the period.
    await person('E', '刘婷', 'intention', '2026-02-28T16:30:00Z', '13600004444'),
    // 23:30 on 28 February in Shanghai: before the period.
    await person('F', '陈雪', 'stranger', '2026-02-28T15:30:00Z', null),
    await person('G', '王晓丽', 'customer', '2026-03-03T02:00:00Z', null),
    await person('H', '赵琳', 'customer', '2025-06-01T02:00:00Z', '13500005555'),
  ]
  const m = Object.fromEntries(list) as ScriptedMembers
  await db.update(members).set({ mergedIntoId: m.A.id }).where(eq(members.id, m.G.id))

  let orderSeq = 0
  const order = async (
    who: keyof ScriptedMembers,
    paidAt: string | null,
    payFen: number,
    extra: { status?: OrderStatus; refundedFen?: number } = {},
  ) => {
    await db.insert(orders).values({
      orderNo: `T${++orderSeq}`,
      memberId: m[who].id,
      status: extra.status ?? (paidAt ? 'completed' : 'cancelled'),
      itemsFen: payFen,
      payFen,
      refundedFen: extra.refundedFen ?? 0,
      createdAt: new Date(paidAt ?? '2026-03-05T02:00:00Z'),
      paidAt: paidAt ? new Date(paidAt) : null,
    })
  }
  await order('A', '2025-12-31T16:30:00Z', 12000) // 1 January in Shanghai
  await order('A', '2026-03-04T02:00:00Z', 10000)
  await order('A', '2026-03-06T02:00:00Z', 20000, { refundedFen: 5000 })
  await order('B', '2026-02-28T15:59:59Z', 9900) // 23:59:59 on 28 February in Shanghai
  await order('B', '2026-02-28T16:00:00Z', 30000) // midnight, 1 March in Shanghai
  await order('C', '2026-03-02T03:00:00Z', 15000, { status: 'paid' })
  await order('C', null, 50000) // cancelled, never paid
  await order('C', '2026-03-03T03:00:00Z', 40000, { status: 'refunded', refundedFen: 40000 })
  await order('H', '2026-03-10T02:00:00Z', 8000, { status: 'shipped' })
  await order('H', '2026-03-15T16:00:00Z', 5000) // midnight, 16 March in Shanghai

  const event = (who: keyof ScriptedMembers, type: MemberEventType, at: string, payload: object = {}) =>
    db.insert(memberEvents).values({ memberId: m[who].id, type, occurredAt: new Date(at), payload })
  await event('A', 'chat_message', '2026-03-05T02:00:00Z', { direction: 'in', text: '在吗？' })
  await event('B', 'chat_message', '2026-03-03T02:00:00Z', { direction: 'out', text: '新品到了' })
  await event('C', 'product_view', '2026-03-02T02:30:00Z', { title: '修护面霜' })
  await event('D', 'campaign_delivered', '2026-03-15T03:00:00Z', { campaign: '春季焕新' })
  await event('F', 'chat_message', '2026-02-28T15:59:00Z', { direction: 'out', text: '你好' })
  await event('F', 'chat_message', '2026-03-15T16:30:00Z', { direction: 'out', text: '早上好' })

  await db.insert(referrals).values([
    { referrerId: m.A.id, refereeId: m.C.id, attributedAt: new Date('2026-03-02T02:00:00Z') },
    { referrerId: m.A.id, refereeId: m.E.id, attributedAt: new Date('2026-02-28T16:30:00Z') },
  ])
  await db.insert(pointsAccounts).values({ memberId: m.A.id, balance: 250 })

  const level = async (ladder: string, code: string) => {
    const [row] = await db
      .select({ ladderId: tierLadders.id, levelId: tierLevels.id })
      .from(tierLevels)
      .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
      .where(and(eq(tierLadders.code, ladder), eq(tierLevels.code, code)))
    return row!
  }
  const tier = async (
    who: keyof ScriptedMembers,
    ladder: string,
    code: string,
    startsAt: string,
    endsAt: string | null,
  ) => {
    const { ladderId, levelId } = await level(ladder, code)
    await db.insert(memberTiers).values({
      memberId: m[who].id,
      ladderId,
      levelId,
      startsAt: new Date(startsAt),
      endsAt: endsAt ? new Date(endsAt) : null,
      source: 'test',
    })
  }
  await tier('A', 'spend', 'gold', '2026-01-01T00:00:00Z', null)
  await tier('A', 'vip', 'V2', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')
  await tier('B', 'spend', 'silver', '2026-02-01T00:00:00Z', null)
  await tier('C', 'spend', 'normal', '2026-03-02T00:00:00Z', null)
  await tier('C', 'vip', 'V1', '2025-01-01T00:00:00Z', '2026-03-01T00:00:00Z') // ended
  await tier('H', 'maternity', 'mom', '2026-04-01T00:00:00Z', null) // not started yet
  await tier('G', 'spend', 'normal', '2026-03-03T00:00:00Z', null) // merged member
  return m
}
