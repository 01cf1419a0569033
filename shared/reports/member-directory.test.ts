// Member search and the member record, on the scripted brand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { scriptedNow, seedScriptedBrand, type ScriptedMembers } from '../../test/support/scripted-brand'
import { maskPhone, memberDetail, searchMembers } from './member-directory'

let database: Database
let m: ScriptedMembers
beforeAll(async () => {
  database = await testDatabase()
  m = await seedScriptedBrand(database.db)
})
afterAll(() => database.close())

const search = (
  q: string | undefined,
  extra: { stage?: 'customer'; page?: number; pageSize?: number } = {},
) => searchMembers(database.db, scriptedNow, { q, page: 1, pageSize: 20, ...extra })
const ids = (list: { items: { id: number }[] }) => list.items.map((i) => i.id)

describe('member search', () => {
  it('lists every member not merged away, newest first, with masked phones, tiers and points', async () => {
    const list = await search(undefined)
    expect(list.total).toBe(7)
    expect(ids(list)).toEqual([m.H, m.F, m.E, m.D, m.C, m.B, m.A].map((x) => x.id))
    const a = list.items.find((i) => i.id === m.A.id)!
    expect(a).toMatchObject({
      memberNo: m.A.memberNo,
      name: '王晓丽',
      phone: '138****1111',
      stage: 'super_user',
    })
    expect(a.pointsBalance).toBe(250)
    expect(a.tiers.map((t) => `${t.ladderCode}:${t.levelCode}`)).toEqual(['vip:V2', 'spend:gold'])
    // C's paid membership ended before now: only the current level is shown.
    expect(list.items.find((i) => i.id === m.C.id)!.tiers.map((t) => t.levelCode)).toEqual(['normal'])
  })

  it('finds by part of a name, a phone number or a member number; the merged duplicate is not found', async () => {
    expect(ids(await search('晓丽'))).toEqual([m.A.id])
    expect(ids(await search('0000222'))).toEqual([m.B.id])
    expect(ids(await search(m.E.memberNo.toLowerCase()))).toEqual([m.E.id])
    expect(ids(await search('昵称D'))).toEqual([m.D.id])
    expect((await search('不存在的人')).total).toBe(0)
  })

  it('treats % and _ as text, not wildcards', async () => {
    expect((await search('%')).total).toBe(0)
    expect((await search('_')).total).toBe(0)
  })

  it('filters by stage and pages through the result', async () => {
    expect(ids(await search(undefined, { stage: 'customer' }))).toEqual([m.H.id, m.C.id])
    const page2 = await search(undefined, { page: 2, pageSize: 3 })
    expect(page2.total).toBe(7)
    expect(ids(page2)).toEqual([m.D.id, m.C.id, m.B.id])
    expect((await search(undefined, { page: 9, pageSize: 3 })).items).toEqual([])
  })

  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
  })
})

describe('member record', () => {
  it('has the profile, identities, every tier with whether it is current, points, orders and referrals', async () => {
    const a = await memberDetail(database.db, scriptedNow, m.A.id, { fullPhone: true })
    expect(a.profile).toMatchObject({ id: m.A.id, name: '王晓丽', stage: 'super_user', optedOut: false })
    expect(a.identities).toEqual([expect.objectContaining({ kind: 'phone', value: '13800001111' })])
    // Without the right to call the member, the same record shows the number masked.
    const masked = await memberDetail(database.db, scriptedNow, m.A.id)
    expect(masked.identities).toEqual([expect.objectContaining({ kind: 'phone', value: '138****1111' })])
    expect(a.pointsBalance).toBe(250)
    // 12000 + 10000 + (20000 - 5000)
    expect(a.orders).toEqual({ count: 3, spentFen: 37_000, lastPaidAt: '2026-03-06T02:00:00.000Z' })
    expect(a.referral).toEqual({ referredBy: null, broughtMembers: 2 })
    expect(a.recentEvents.map((e) => e.type)).toEqual(['chat_message'])

    const c = await memberDetail(database.db, scriptedNow, m.C.id)
    expect(c.referral.referredBy).toEqual({ id: m.A.id, memberNo: m.A.memberNo, name: '王晓丽' })
    expect(c.tiers.map((t) => [t.levelCode, t.active])).toEqual([
      ['V1', false],
      ['normal', true],
    ])
    // the refunded and the cancelled order are not spend
    expect(c.orders).toMatchObject({ count: 1, spentFen: 15_000 })
  })

  it('lists recent events newest first', async () => {
    const f = await memberDetail(database.db, scriptedNow, m.F.id)
    expect(f.recentEvents.map((e) => e.occurredAt)).toEqual([
      '2026-03-15T16:30:00.000Z',
      '2026-02-28T15:59:00.000Z',
    ])
    expect(f.recentEvents[0]!.payload).toEqual({ direction: 'out', text: '早上好' })
  })

  it('is not found for a merged member or an unknown id', async () => {
    await expect(memberDetail(database.db, scriptedNow, m.G.id)).rejects.toMatchObject({
      status: 404,
      code: 'member_not_found',
    })
    await expect(memberDetail(database.db, scriptedNow, 99_999_999)).rejects.toMatchObject({ status: 404 })
  })
})
