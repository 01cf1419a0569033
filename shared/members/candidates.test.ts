// The paid-membership criterion reads one join per paid ladder: a member who holds levels on two paid
// ladders is still one member, scored and counted once.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { listCandidates } from './candidates'
import { countSegment, countSegmentsAndScores } from './segments'

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
