// The tree with depth, counts direct and total, super communicators, and the referral rate by month.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { queryRows } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember, operatorToken } from '../../test/support/factories'
import { makePaidOrder, makeSku, setJoinedAt, type TestSku } from '../../test/support/referral-fixtures'
import { operators } from '../db/schema/auth'
import { attributeNewMember } from './attribution'
import { shareCodeOf } from './share-codes'
import { referralCountsOf, referralTreeOf, uplineOf } from './tree'
import { computeDownlineCounts, referralRateByMonth, refreshReferralStats, superCommunicators } from './stats'

let database: Database
let sku: TestSku
const T0 = new Date('2026-06-01T02:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  sku = await makeSku(database.db, { priceFen: 1_000, costFen: 300 })
})
afterAll(async () => {
  await database.close()
})

async function member(name = '会员') {
  const m = await makeMember(database.db, { name })
  await setJoinedAt(database.db, m.id, T0)
  return m
}
async function bring(referrerId: number, refereeId: number) {
  const { code } = await shareCodeOf(database.db, { memberId: referrerId })
  const r = await attributeNewMember(database.db, { refereeId, code, at: T0 })
  expect(r.outcome).toBe('attributed')
}

describe('referral tree', () => {
  // root → 10 direct; the first of them (k) → 2; the first of those (g) → 1.
  let root: number, k: number, g: number, leaf: number
  beforeAll(async () => {
    root = (await member('树根')).id
    const direct = []
    for (let i = 0; i < 10; i++) {
      const m = await member(`直推${i}`)
      await bring(root, m.id)
      direct.push(m.id)
    }
    k = direct[0]!
    g = (await member('二级')).id
    await bring(k, g)
    await bring(k, (await member('二级b')).id)
    leaf = (await member('三级')).id
    await bring(g, leaf)
  })

  it('counts direct and total referrals, depth, and flags the super communicator', async () => {
    expect(await referralCountsOf(database.db, root)).toEqual({
      memberId: root,
      directCount: 10,
      downlineCount: 13,
      depth: 0,
      superCommunicator: true,
    })
    expect(await referralCountsOf(database.db, k)).toMatchObject({
      directCount: 2,
      downlineCount: 3,
      depth: 1,
      superCommunicator: false,
    })
    expect(await referralCountsOf(database.db, leaf)).toMatchObject({
      directCount: 0,
      downlineCount: 0,
      depth: 3,
    })
    expect((await uplineOf(database.db, leaf)).map((u) => [u.memberId, u.level])).toEqual([
      [g, 1],
      [k, 2],
      [root, 3],
    ])
  })

  it('lists the tree with depth, each node after its parent, cut at the depth asked', async () => {
    const tree = await referralTreeOf(database.db, root, { maxDepth: 2 })
    expect(tree.nodes).toHaveLength(12)
    expect(tree.truncated).toBe(false)
    expect(tree.nodes.filter((n) => n.depth === 2).map((n) => n.parentId)).toEqual([k, k])
    const seen = new Set([root])
    for (const n of tree.nodes) {
      expect(seen.has(n.parentId)).toBe(true)
      seen.add(n.memberId)
    }
    const full = await referralTreeOf(database.db, root, { maxDepth: 10, limit: 5 })
    expect(full.nodes).toHaveLength(5)
    expect(full.truncated).toBe(true)
    expect(full.nodes.find((n) => n.memberId === k)?.directCount).toBe(2)
  })

  it('the whole-forest computation agrees with a recursive query, and feeds the super communicator list', async () => {
    const stats = await computeDownlineCounts(database.db)
    const expected = await queryRows<{ id: number; total: number }>(
      database.db,
      sql`with recursive down(ancestor, member) as (
            select referrer_id, referee_id from referrals where referrer_id is not null
            union all
            select d.ancestor, r.referee_id from down d join referrals r on r.referrer_id = d.member)
          select ancestor as id, count(*)::int as total from down group by ancestor`,
    )
    const ours = new Map([...stats.memberIds].map((id, i) => [id, stats.downlineCount[i]!]))
    for (const e of expected) expect(ours.get(Number(e.id))).toBe(e.total)
    expect(stats.maxDepth).toBe(3)

    const refreshed = await refreshReferralStats(database.db, T0)
    expect(refreshed).toMatchObject({ members: 14, changed: 14, removed: 0 })
    // Nothing changed: nothing is written. One more member under the leaf: she and her 4 ancestors.
    expect(await refreshReferralStats(database.db, T0)).toMatchObject({ changed: 0, removed: 0 })
    await bring(leaf, (await member('四级')).id)
    expect(await refreshReferralStats(database.db, T0)).toMatchObject({ members: 15, changed: 5, removed: 0 })
    const list = await superCommunicators(database.db)
    expect(list.threshold).toBe(10)
    expect(list.refreshedAt?.toISOString()).toBe(T0.toISOString())
    expect(list.members.map((m) => [m.memberId, m.directCount, m.downlineCount, m.depth])).toEqual([
      [root, 10, 14, 0],
    ])
  })
})

describe('referral rate by month', () => {
  it('counts new customers by the month (Asia/Shanghai) of their first purchase, and those brought by members', async () => {
    const db = database.db
    const sharer = await member('分享者')
    await operatorToken(db, 'staff')
    const [op] = await db.select().from(operators).limit(1)
    const staffCode = (await shareCodeOf(db, { operatorId: op!.id })).code
    const buy = (memberId: number, at: string) =>
      makePaidOrder(db, { memberId, lines: [{ sku, quantity: 1 }], at: new Date(at) })

    // June: four first purchases, one brought by a member, one by staff.
    const june = [await member(), await member(), await member(), await member()]
    await bring(sharer.id, june[0]!.id)
    await attributeNewMember(db, { refereeId: june[1]!.id, code: staffCode, at: T0 })
    for (const m of june) await buy(m.id, '2026-06-10T04:00:00Z')
    // A second purchase in July is not a new customer in July.
    await buy(june[0]!.id, '2026-07-02T04:00:00Z')
    // 2026-06-30 17:00 UTC is already 1 July in Shanghai: a July new customer, brought by a member.
    const july = await member()
    await bring(sharer.id, july.id)
    await buy(july.id, '2026-06-30T17:00:00Z')

    const months = await referralRateByMonth(db, {
      from: new Date('2026-05-31T16:00:00Z'),
      to: new Date('2026-08-31T16:00:00Z'),
    })
    expect(months).toEqual([
      { month: '2026-06', newCustomers: 4, broughtByMembers: 1, broughtByStaff: 1, referralRate: 0.25 },
      { month: '2026-07', newCustomers: 1, broughtByMembers: 1, broughtByStaff: 0, referralRate: 1 },
      { month: '2026-08', newCustomers: 0, broughtByMembers: 0, broughtByStaff: 0, referralRate: 0 },
    ])
  })
})
