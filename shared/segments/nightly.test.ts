// The nightly pass works from the day's slice of orders and events leaving their windows; it must leave
// every member with exactly the figures (and stages) a full rebuild from all orders and events gives.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { seedDemo } from '../demo/seed'
import { recordMemberEvent } from '../members/events'
import { recomputeLifecycle } from '../members/lifecycle'
import { nightlyMemberPass } from './nightly'
import { allStatGroups, refreshMemberStats, statGroups, windowsWatermark } from '../members/stats'
import { countSegment, readyMadeOverview, readyMadeWithTiers } from './segments'

let database: Database
const DAY = 86_400_000
const T = new Date('2026-06-01T02:30:00Z')

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 400, now: T })
})
afterAll(async () => {
  await database.close()
})

const figures = Object.values(statGroups).flat()
const snapshot = async () =>
  queryRows<Record<string, unknown>>(
    database.db,
    sql`select m.id, m.stage, m.repurchaser_kind, ${sql.raw(figures.map((c) => `s.${c}`).join(', '))}
        from members m left join member_stats s on s.member_id = m.id order by m.id`,
  )

it('night after night, leaves every member with the figures and stage a full rebuild gives', async () => {
  const db = database.db
  await recomputeLifecycle(db, { all: true }, T, allStatGroups)
  expect(await windowsWatermark(db)).toEqual(T)
  const members = await queryRows<{ id: number }>(db, sql`select id from members order by id limit 60`)

  let changed = 0
  // Three nights in a row, then one after a week without a pass; members act during each day.
  for (const [night, days] of [
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 7],
  ] as const) {
    const dayStart = (await windowsWatermark(db))!.getTime()
    for (const [i, m] of members.entries()) {
      if ((i + night) % 3 !== 0) continue
      await recordMemberEvent(db, {
        memberId: m.id,
        type: i % 2 ? 'product_view' : 'share',
        occurredAt: new Date(dayStart + ((i % 20) + 1) * 3600_000),
        payload: i % 2 ? { productId: 1 } : { what: 'product', target: '1' },
        sourceKey: `night:${night}:${m.id}`,
      })
    }
    const at = new Date(dayStart + days * DAY)
    const pass = await nightlyMemberPass(db, at)
    expect(pass.windowsRebuilt).toBe(false)
    changed += pass.statsChanged
    const incremental = await snapshot()
    await recomputeLifecycle(db, { all: true }, at, allStatGroups)
    expect(await snapshot()).toEqual(incremental)
  }
  // The slices did move figures: the test compared something.
  expect(changed).toBeGreaterThan(20)
})

it('without a watermark it rebuilds everything', async () => {
  await database.db.execute(sql`delete from member_stats_watermarks`)
  const at = new Date(T.getTime() + 30 * DAY)
  const pass = await nightlyMemberPass(database.db, at)
  expect(pass.windowsRebuilt).toBe(true)
  expect(await windowsWatermark(database.db)).toEqual(at)
  const after = await snapshot()
  await refreshMemberStats(database.db, { all: true }, at)
  expect(await snapshot()).toEqual(after)
})

it('sizes every ready-made segment by the stages it writes, as counting each filter alone does', async () => {
  const at = new Date(T.getTime() + 31 * DAY)
  // Stages written behind the rules' back: the pass puts them right and sizes segments by the stages
  // it writes ("high potential" leaves out super users), not the ones it found.
  const wrong = await queryRows<{ id: number }>(
    database.db,
    sql`update members set stage = 'stranger', repurchaser_kind = null
        where stage in ('super_user', 'repurchaser') returning id`,
  )
  expect(wrong.length).toBeGreaterThan(5)
  const pass = await nightlyMemberPass(database.db, at)
  expect(pass.windowsRebuilt).toBe(false)
  expect(pass.changed).toBeGreaterThanOrEqual(wrong.length)
  const overview = await readyMadeOverview(database.db, at)
  expect(pass.overview).toEqual(overview)
  const all = await readyMadeWithTiers(database.db)
  expect(overview.segments.map((s) => s.code)).toEqual(all.map((s) => s.code))
  expect(all.some((s) => s.code.startsWith('tier:'))).toBe(true)
  for (const [i, s] of all.entries())
    expect([s.code, overview.segments[i]!.members]).toEqual([
      s.code,
      await countSegment(database.db, s.filter, at),
    ])
  expect(overview.segments.filter((s) => s.members > 0).length).toBeGreaterThan(5)
})
