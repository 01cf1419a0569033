import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database, type Db } from '../db/client'
import { testDatabase, onPostgresServer } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { createMemberSession, resolveMemberSession } from '../auth/service'
import { grantPoints, spendPoints } from '../points/ledger'
import { VirtualClock } from '../clock'
import { memberReferences } from './references'
import { mergeMembers, undoMerge } from './merge'
import { recordMemberEvent } from './events'
import { refreshLifecycle } from './lifecycle'
import { createDimension, createTag, tagMember } from './tags'

let database: Database
let db: Db
const clock = new VirtualClock('2026-05-01T02:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  db = database.db
})
afterAll(async () => {
  await database.close()
})

let orderSeq = 0
async function order(memberId: number, payFen: number, referrerId: number | null = null) {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, referrer_id, paid_at, created_at)
        values (${`MT${++orderSeq}${Date.now()}`}, ${memberId}, 'paid', ${payFen}, ${payFen}, ${referrerId},
          ${clock.now().toISOString()}::timestamptz, ${clock.now().toISOString()}::timestamptz) returning id`,
  )
  return Number(row!.id)
}

async function ladder(code: string) {
  const [l] = await queryRows<{ id: number }>(
    db,
    sql`insert into tier_ladders (code, name, kind, basis) values (${code}, ${code}, 'vertical', 'paid') returning id`,
  )
  const levels = await queryRows<{ id: number }>(
    db,
    sql`insert into tier_levels (ladder_id, code, name, rank) values (${l!.id}, 'L1', '一级', 1), (${l!.id}, 'L2', '二级', 2)
        returning id`,
  )
  return { id: Number(l!.id), l1: Number(levels[0]!.id), l2: Number(levels[1]!.id) }
}

async function giveTier(memberId: number, ladderId: number, levelId: number) {
  await db.execute(
    sql`insert into member_tiers (member_id, ladder_id, level_id, starts_at, source) values (${memberId}, ${ladderId}, ${levelId}, now(), 'test')`,
  )
}

/** Every row of every table that references members, plus the members themselves, in a stable order. */
async function snapshot(ids: number[]) {
  const out: Record<string, unknown[]> = {}
  for (const table of new Set(memberReferences.filter((r) => !r.derived).map((r) => r.table))) {
    out[table] = (
      await queryRows<{ row: unknown }>(
        db,
        sql`select row_to_json(t.*) as row from ${sql.identifier(table)} t order by row_to_json(t.*)::text`,
      )
    ).map((r) => r.row)
  }
  out.members = (
    await queryRows<{ row: unknown }>(
      db,
      sql`select row_to_json(m.*) as row from members m where m.id in (${sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )}) order by m.id`,
    )
  ).map((r) => r.row)
  return out
}

async function ledgerAddsUp(memberId: number) {
  const [r] = await queryRows<{ balance: number | null; sum: number }>(
    db,
    sql`select (select balance from points_accounts where member_id = ${memberId}) as balance,
          (select coalesce(sum(amount), 0)::int from points_entries where member_id = ${memberId}) as sum`,
  )
  return { balance: r!.balance ?? 0, sum: r!.sum }
}

describe('mergeMembers and undoMerge', () => {
  it('moves every kind of reference to the survivor and puts every row back on undo', async () => {
    const at = clock.now()
    const survivor = await makeMember(db, { name: '晏涛' })
    const merged = await makeMember(db, { nickname: '三寿', city: '杭州' })
    await db.execute(sql`update members set name = null where id = ${merged.id}`)
    const brought = await makeMember(db)
    const introducer = await makeMember(db)
    const survivorIntroducer = await makeMember(db)
    const s = survivor.id
    const m = merged.id

    // Orders on both sides, one of them referred by the other.
    await order(s, 12000)
    await order(m, 8800, s)
    await order(brought.id, 5000, m)
    // Points on both, some spent.
    await grantPoints(db, {
      memberId: s,
      amount: 120,
      sourceKey: `t:${s}:a`,
      reason: '测试',
      at,
      expiresAt: null,
    })
    await grantPoints(db, {
      memberId: m,
      amount: 88,
      sourceKey: `t:${m}:a`,
      reason: '测试',
      at,
      expiresAt: null,
    })
    await spendPoints(db, { memberId: m, amount: 8, sourceKey: `t:${m}:s`, reason: '测试', at })
    // Events, with the chat identity of the absorbed member on an advisor account.
    await recordMemberEvent(db, {
      memberId: m,
      type: 'chat_message',
      occurredAt: at,
      payload: { direction: 'in', text: '在吗' },
    })
    await recordMemberEvent(db, {
      memberId: s,
      type: 'product_view',
      occurredAt: at,
      payload: { title: '面霜' },
    })
    await db.execute(
      sql`insert into member_identities (member_id, kind, value) values (${m}, 'chat_contact', ${`1:wxid_${m}`})`,
    )
    // Referrals on both sides and between the two.
    const ref = (a: number, b: number) =>
      db.execute(
        sql`insert into referrals (referrer_id, referee_id, attributed_at) values (${a}, ${b}, ${at.toISOString()}::timestamptz)`,
      )
    await ref(m, brought.id) // the absorbed member brought someone
    await ref(introducer.id, m) // someone brought the absorbed member...
    await ref(survivorIntroducer.id, s) // ...but the survivor was brought by someone else first
    await ref(s, (await makeMember(db)).id)
    // Tags: one clash, one single-valued conflict, one only the absorbed member has.
    const skin = await createDimension(db, { code: `skin${m}`, name: '肤质', multiple: false })
    const interest = await createDimension(db, { code: `interest${m}`, name: '兴趣', multiple: true })
    const dry = await createTag(db, { dimensionId: skin.id, name: '干性' })
    const oily = await createTag(db, { dimensionId: skin.id, name: '油性' })
    const makeup = await createTag(db, { dimensionId: interest.id, name: '彩妆' })
    const baby = await createTag(db, { dimensionId: interest.id, name: '母婴' })
    await tagMember(db, { memberId: s, tagId: dry.id, taggedBy: 'staff', at })
    await tagMember(db, { memberId: m, tagId: oily.id, taggedBy: 'bot', at })
    await tagMember(db, { memberId: s, tagId: makeup.id, taggedBy: 'operator', at })
    await tagMember(db, { memberId: m, tagId: makeup.id, taggedBy: 'operator', at })
    await tagMember(db, { memberId: m, tagId: baby.id, taggedBy: 'staff', at })
    // Tiers: the absorbed member is higher on a shared ladder and alone on another.
    const vip = await ladder(`vip${m}`)
    const mom = await ladder(`mom${m}`)
    await giveTier(s, vip.id, vip.l1)
    await giveTier(m, vip.id, vip.l2)
    await giveTier(m, mom.id, mom.l1)
    // A session, share codes on both, a message waiting in the outbox.
    const session = await createMemberSession(db, clock, m, 24)
    await db.execute(
      sql`insert into share_codes (code, member_id) values (${`S${s}`}, ${s}), (${`S${m}`}, ${m})`,
    )
    const [account] = await queryRows<{ id: number }>(
      db,
      sql`insert into bot_accounts (name, display_name) values (${`acct${m}`}, '小美') returning id`,
    )
    await db.execute(
      sql`insert into outbound_messages (dedupe_key, account_id, member_id, kind, text, source)
          values (${`d${m}`}, ${account!.id}, ${m}, 'direct', '您好', 'operator')`,
    )
    await refreshLifecycle(db, s, at)
    await refreshLifecycle(db, m, at)

    const ids = [s, m, brought.id, introducer.id, survivorIntroducer.id]
    const before = await snapshot(ids)
    const pointsBefore = (await ledgerAddsUp(s)).sum + (await ledgerAddsUp(m)).sum

    clock.advance(3600_000)
    const result = await mergeMembers(db, {
      survivorId: s,
      mergedId: m,
      reason: '同一手机号',
      at: clock.now(),
    })

    const count = async (q: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(db, q))[0]!.n)
    // Nothing points at the absorbed member any more.
    for (const r of memberReferences)
      expect(
        await count(
          sql`select count(*)::int as n from ${sql.identifier(r.table)} where ${sql.identifier(r.column)} = ${m}`,
        ),
        `${r.table}.${r.column}`,
      ).toBe(0)
    expect(await count(sql`select count(*)::int as n from orders where member_id = ${s}`)).toBe(2)
    expect(await count(sql`select count(*)::int as n from orders where referrer_id = ${s}`)).toBe(1)
    expect(await count(sql`select count(*)::int as n from member_events where member_id = ${s}`)).toBe(2)
    expect(
      await count(
        sql`select count(*)::int as n from member_identities where member_id = ${s} and kind = 'chat_contact'`,
      ),
    ).toBe(1)
    // Referrals: the one between them is gone, the survivor keeps its own introducer, gains the referee.
    expect(await count(sql`select count(*)::int as n from referrals where referee_id = ${s}`)).toBe(1)
    expect(
      await count(
        sql`select count(*)::int as n from referrals where referee_id = ${s} and referrer_id = ${survivorIntroducer.id}`,
      ),
    ).toBe(1)
    expect(await count(sql`select count(*)::int as n from referrals where referrer_id = ${s}`)).toBe(2)
    // Tags: survivor's skin type wins; the shared tag is kept once; the extra interest arrives.
    const tagsNow = await queryRows<{ tag_id: number; tagged_by: string }>(
      db,
      sql`select tag_id, tagged_by from member_tags where member_id = ${s} order by tag_id`,
    )
    expect(tagsNow.map((t) => Number(t.tag_id))).toEqual([dry.id, makeup.id, baby.id].sort((a, b) => a - b))
    // Tiers: the higher VIP level and the maternity card.
    const tiers = await queryRows<{ ladder_id: number; level_id: number }>(
      db,
      sql`select ladder_id, level_id from member_tiers where member_id = ${s} order by ladder_id`,
    )
    expect(tiers.map((t) => [Number(t.ladder_id), Number(t.level_id)])).toEqual([
      [vip.id, vip.l2],
      [mom.id, mom.l1],
    ])
    // Points add up: the balance is the ledger's sum and nothing was lost.
    const after = await ledgerAddsUp(s)
    expect(after.balance).toBe(after.sum)
    expect(after.sum).toBe(pointsBefore)
    // The absorbed member's session now acts as the survivor; the survivor keeps one share code.
    expect(await resolveMemberSession(db, clock, session.token)).toBe(s)
    expect(await count(sql`select count(*)::int as n from share_codes where member_id = ${s}`)).toBe(1)
    expect(await count(sql`select count(*)::int as n from outbound_messages where member_id = ${s}`)).toBe(1)
    // The survivor takes the nickname and city it lacked, and its stage reflects both histories.
    const [sv] = await queryRows<{ nickname: string; stage: string; name: string }>(
      db,
      sql`select nickname, stage, name from members where id = ${s}`,
    )
    expect(sv!.name).toBe('晏涛')
    expect(sv!.stage).toBe('super_user')
    expect(result.repointed['orders.member_id']).toBe(1)

    clock.advance(3600_000)
    await undoMerge(db, { mergeId: result.mergeId, at: clock.now() })
    expect(await snapshot(ids)).toEqual(before)
    const back = [await ledgerAddsUp(s), await ledgerAddsUp(m)]
    for (const l of back) expect(l.balance).toBe(l.sum)
    expect(await resolveMemberSession(db, clock, session.token)).toBe(m)

    await expect(undoMerge(db, { mergeId: result.mergeId, at: clock.now() })).rejects.toMatchObject({
      code: 'merge_already_undone',
    })
  })

  it('refuses to merge a member into itself or into an absorbed member', async () => {
    const a = await makeMember(db)
    const b = await makeMember(db)
    const c = await makeMember(db)
    await expect(
      mergeMembers(db, { survivorId: a.id, mergedId: a.id, reason: 'x', at: clock.now() }),
    ).rejects.toMatchObject({
      code: 'merge_same_member',
    })
    await mergeMembers(db, { survivorId: a.id, mergedId: b.id, reason: 'x', at: clock.now() })
    await expect(
      mergeMembers(db, { survivorId: b.id, mergedId: c.id, reason: 'x', at: clock.now() }),
    ).rejects.toMatchObject({
      code: 'member_already_merged',
      status: 409,
    })
  })

  it('refuses an undo once the moved points were spent, and changes nothing', async () => {
    const a = await makeMember(db)
    const b = await makeMember(db)
    const at = clock.now()
    await grantPoints(db, {
      memberId: b.id,
      amount: 50,
      sourceKey: `u:${b.id}`,
      reason: '测试',
      at,
      expiresAt: null,
    })
    const { mergeId } = await mergeMembers(db, { survivorId: a.id, mergedId: b.id, reason: '同一人', at })
    await spendPoints(db, { memberId: a.id, amount: 50, sourceKey: `u:${a.id}:spend`, reason: '兑换', at })
    await expect(undoMerge(db, { mergeId, at })).rejects.toMatchObject({ code: 'points_changed_since_merge' })
    const [row] = await queryRows<{ undone_at: unknown; merged_into_id: number }>(
      db,
      sql`select mm.undone_at, m.merged_into_id from member_merges mm join members m on m.id = mm.merged_id where mm.id = ${mergeId}`,
    )
    expect(row!.undone_at).toBeNull()
    expect(Number(row!.merged_into_id)).toBe(a.id)
  })

  it.runIf(onPostgresServer())('two operators merging the same pair at once make one merge', async () => {
    const a = await makeMember(db)
    const b = await makeMember(db)
    const results = await Promise.allSettled([
      mergeMembers(db, { survivorId: a.id, mergedId: b.id, reason: '并发', at: clock.now() }),
      mergeMembers(db, { survivorId: b.id, mergedId: a.id, reason: '并发', at: clock.now() }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const [n] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from member_merges where (survivor_id, merged_id) in ((${a.id}, ${b.id}), (${b.id}, ${a.id}))`,
    )
    expect(n!.n).toBe(1)
  })
})
