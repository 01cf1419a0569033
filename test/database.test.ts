// What the database guarantees on its own: nothing half-written, and the demo seed's invariants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../shared/db/client'
import { members, memberIdentities } from '../shared/db/schema/members'
import { createMember } from '../shared/members/profile'
import { DomainError } from '../shared/errors'
import { isEmpty, seedDemo } from '../shared/demo/seed'
import { testDatabase } from './support/db'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

describe('atomic writes', () => {
  it('a member whose second identity is taken is not written at all', async () => {
    await createMember(database.db, { name: '三寿', identities: [{ kind: 'phone', value: '13700001111' }] })
    const before = await database.db.select({ n: count() }).from(members)
    const attempt = createMember(database.db, {
      name: '晏涛',
      identities: [
        { kind: 'unionid', value: 'oUnion-fresh-1' },
        { kind: 'phone', value: '13700001111' },
      ],
    })
    await expect(attempt).rejects.toBeInstanceOf(DomainError)
    await expect(attempt).rejects.toMatchObject({ code: 'identity_taken', status: 409 })
    const after = await database.db.select({ n: count() }).from(members)
    expect(after[0]!.n).toBe(before[0]!.n)
    const orphan = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.value, 'oUnion-fresh-1'))
    expect(orphan).toHaveLength(0)
  })

  it('the points balance cannot go below zero, whatever the code does', async () => {
    const m = await createMember(database.db, { name: '余额测试' })
    await database.db.execute(sql`insert into points_accounts (member_id, balance) values (${m.id}, 5)`)
    await expect(
      database.db.execute(sql`update points_accounts set balance = balance - 6 where member_id = ${m.id}`),
    ).rejects.toThrow()
    const rows = await queryRows(
      database.db,
      sql`select balance from points_accounts where member_id = ${m.id}`,
    )
    expect(rows).toEqual([{ balance: 5 }])
  })

  it('stock cannot go below zero', async () => {
    await expect(
      database.db.execute(
        sql`insert into skus (product_id, spec, price_fen, stock) values (1, 'x', 100, -1)`,
      ),
    ).rejects.toThrow()
  })
})

describe('demo brand', () => {
  const now = new Date('2026-11-22T04:00:00Z')
  beforeAll(async () => {
    expect(await isEmpty(database.db)).toBe(false) // the members written above
    await seedDemo(database, { members: 240, now })
  })

  const q = <T>(text: string) => queryRows<T>(database.db, sql.raw(text))

  it('has at least 200 members across every lifecycle stage and several tiers', async () => {
    const stages = await q<{ stage: string; n: number }>(
      `select stage, count(*)::int n from members where source <> 'unknown' group by stage`,
    )
    expect(stages.map((s) => s.stage).sort()).toEqual([
      'customer',
      'intention',
      'repurchaser',
      'stranger',
      'super_user',
    ])
    expect(stages.reduce((a, s) => a + s.n, 0)).toBeGreaterThanOrEqual(240)
    const tiers = await q<{ n: number }>(`select count(distinct level_id)::int n from member_tiers`)
    expect(tiers[0]!.n).toBeGreaterThanOrEqual(5)
  })

  it('has products in at least three categories, and orders spread over 18 months', async () => {
    const cats = await q<{ n: number }>(`select count(distinct category_id)::int n from order_items`)
    expect(cats[0]!.n).toBeGreaterThanOrEqual(3)
    const span = await q<{ months: number; recent: number }>(
      `select count(distinct date_trunc('month', created_at))::int months,
              count(*) filter (where created_at > '${now.toISOString()}'::timestamptz - interval '30 days')::int recent from orders`,
    )
    expect(span[0]!.months).toBeGreaterThanOrEqual(15)
    expect(span[0]!.recent).toBeGreaterThan(0)
  })

  it('has chats, referrals with a super communicator, and points that add up', async () => {
    const [facts] = await q<{
      chats: number
      refs: number
      top: number
      bad_balances: number
      future: number
    }>(`
      select (select count(*)::int from member_events where type = 'chat_message') chats,
             (select count(*)::int from referrals) refs,
             (select max(c)::int from (select count(*) c from referrals group by referrer_id) x) top,
             (select count(*)::int from points_accounts a join members m on m.id = a.member_id
                where m.source <> 'unknown' and (a.balance <> (select coalesce(sum(amount), 0) from points_entries e where e.member_id = a.member_id)
                   or a.balance <> (select coalesce(sum(remaining), 0) from points_entries e where e.member_id = a.member_id and remaining > 0))) bad_balances,
             (select count(*)::int from orders where created_at > '${now.toISOString()}'::timestamptz) future`)
    expect(facts!.chats).toBeGreaterThan(200)
    expect(facts!.refs).toBeGreaterThan(20)
    expect(facts!.top).toBeGreaterThanOrEqual(10)
    expect(facts!.bad_balances).toBe(0)
    expect(facts!.future).toBe(0)
  })

  it('is no longer empty, so `npm start` will not seed it again', async () => {
    expect(await isEmpty(database.db)).toBe(false)
  })
})
