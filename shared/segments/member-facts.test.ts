// Edges of the facts segments and candidates read: a member on two paid ladders is scored and counted
// once (one join per paid ladder); a 29 February birthday is found on 28 February in common years.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { listCandidates } from './candidates'
import { countSegment, countSegmentsAndScores } from './segments'
import { segmentMemberIds } from './filter'

let database: Database
const AT = new Date('2026-09-10T04:00:00Z')
const DAY = 86_400_000

beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('scores and counts a member on two paid ladders once', async () => {
  const db = database.db
  const level = async (code: string) => {
    const [ladder] = await queryRows<{ id: number }>(
      db,
      sql`insert into tier_ladders (code, name, kind, basis) values (${code}, ${code}, 'vertical', 'paid') returning id`,
    )
    const [lv] = await queryRows<{ id: number }>(
      db,
      sql`insert into tier_levels (ladder_id, code, name, rank) values (${ladder!.id}, 'P1', '付费', 1) returning id`,
    )
    return { ladder: ladder!.id, level: lv!.id }
  }
  const black = await level('black_card')
  const plus = await level('plus_card')
  const hold = (memberId: number, l: { ladder: number; level: number }, endsInDays: number) =>
    db.execute(sql`insert into member_tiers (member_id, ladder_id, level_id, starts_at, ends_at, source)
      values (${memberId}, ${l.ladder}, ${l.level}, ${new Date(AT.getTime() - 30 * DAY).toISOString()}::timestamptz,
        ${new Date(AT.getTime() + endsInDays * DAY).toISOString()}::timestamptz, 'test')`)
  const both = await makeMember(db)
  const one = await makeMember(db)
  const lapsed = await makeMember(db)
  await hold(both.id, black, 30)
  await hold(both.id, plus, 60)
  await hold(one.id, plus, 10)
  await hold(lapsed.id, black, -1)

  const ranked = await listCandidates(db, { at: AT, minScore: 1, includeSuperUsers: true })
  expect(ranked.total).toBe(2)
  expect(ranked.items.map((c) => [c.memberId, c.score])).toEqual([
    [both.id, 10],
    [one.id, 10],
  ])
  expect(await countSegment(db, { conditions: [{ field: 'candidateScore', min: 10 }] }, AT)).toBe(2)
  const sizes = await countSegmentsAndScores(db, [{ conditions: [{ field: 'candidateScore', min: 1 }] }], AT)
  expect(sizes.counts).toEqual([2])
  expect(sizes.scored).toBe(3)
})

it('finds 29 February birthdays on 28 February of a common year, as campaigns do', async () => {
  const db = database.db
  const leapling = await makeMember(db)
  const other = await makeMember(db)
  await db.execute(
    sql`update members set birthday = '2000-02-29', birthday_calendar = 'solar' where id = ${leapling.id}`,
  )
  await db.execute(
    sql`update members set birthday = '2000-03-02', birthday_calendar = 'solar' where id = ${other.id}`,
  )
  const feb28 = new Date('2027-02-27T16:30:00Z') // 28 February 2027, 00:30 in Asia/Shanghai
  const ids = async (withinDays: number) =>
    (
      await queryRows<{ id: number }>(
        db,
        await segmentMemberIds(db, { conditions: [{ field: 'birthday', withinDays }] }, feb28),
      )
    ).map((r) => Number(r.id))
  expect(await ids(0)).toEqual([leapling.id])
  expect((await ids(2)).sort((a, b) => a - b)).toEqual([leapling.id, other.id])
})
