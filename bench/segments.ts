// `npm run bench:segments [-- --quick]`: on PostgreSQL, with 1,000,000 members and about 5,000,000
// orders (20,000 members with --quick), time the nightly member pass a day after the previous one —
// the windowed figures of every member brought up to date (orders and engagement that crossed a window
// edge during the day), then every member's stage and repurchaser label judged again — plus every
// member's super-user candidate score and the size of every ready-made segment, against one
// hand-written aggregate over all orders measured in the same run. The full rebuild that precedes it
// (what a new database or the weekly job does) is reported beside it. Prints one JSON line. Uses (and
// reuses) its own database `bench_segments` unless DATABASE_URL is set.
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { openPostgres, queryRows, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { seedDemo } from '../shared/demo/seed'
import { recomputeLifecycle } from '../shared/members/lifecycle'
import { nightlyMemberPass } from '../shared/segments/nightly'
import { allStatGroups, refreshMemberStats } from '../shared/members/stats'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const target = values.quick ? 20_000 : 1_000_000
const ORDER_MULTIPLIER = 2.72 // ≈ 5 orders per member on average
const server = 'postgres://postgres@127.0.0.1:5432'
const dbName = values.quick ? 'bench_segments_quick' : 'bench_segments'

async function ensureDatabase(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL
  const admin = new pg.Client({ connectionString: `${server}/postgres` })
  await admin.connect()
  const { rows } = await admin.query('select 1 from pg_database where datname = $1', [dbName])
  if (rows.length === 0) await admin.query(`create database ${dbName}`)
  await admin.end()
  return `${server}/${dbName}`
}

const seconds = (from: number) => Math.round(performance.now() - from) / 1000
const count = async (database: Database, table: string) =>
  Number(
    (
      await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from ${sql.identifier(table)}`,
      )
    )[0]!.n,
  )

/** The baseline: the aggregate anyone would write first — per member order count, spend, last order. */
async function baseline(database: Database): Promise<number> {
  const started = performance.now()
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '256MB'`)
    await tx.execute(sql`select count(*), sum(x.orders), sum(x.spend), max(x.last_paid) from (
      select member_id, count(*) as orders, sum(pay_fen - refunded_fen) as spend, max(paid_at) as last_paid
      from orders where paid_at is not null group by member_id) x`)
  })
  return seconds(started)
}

const database = await openPostgres(await ensureDatabase(), { max: 4 })
await migrate(database)
// Seeding writes history up to `now`; the full rebuild runs at `now` and the measured pass a day later.
const now = new Date()
const nextNight = new Date(now.getTime() + 86_400_000)

let members = await count(database, 'members')
for (let batch = 0; members < target; batch++) {
  const n = Math.min(100_000, target - members)
  await seedDemo(database, {
    members: n,
    now,
    orderMultiplier: ORDER_MULTIPLIER,
    seed: (members / target) * 0.9,
  })
  members += n
  process.stderr.write(`seeded ${members} of ${target} members\n`)
}
// What autovacuum keeps true of a live database: statistics, and visibility maps that let old slices
// be read from indexes alone.
await database.exec('vacuum analyze')
const orders = await count(database, 'orders')

// Preparation, reported but not part of the ratio: a full rebuild of every member's statistics (what the
// weekly job does, or the first nightly pass on a new database), then a day's activity — 5,000 members
// whose own events refresh their figures at midday. The nightly pass measured below runs the next night.
let started = performance.now()
await recomputeLifecycle(database.db, { all: true }, now, allStatGroups)
const fullRebuild = seconds(started)
// A rerun starts its timeline afresh: refreshes that an earlier run simulated after this run's `now`
// would read as today's activity. The rebuild just found every member's figures right as of `now`.
await database.db.execute(
  sql`update member_stats set windows_at = ${now.toISOString()}::timestamptz where windows_at > ${now.toISOString()}::timestamptz`,
)
const activeToday = (
  await queryRows<{ id: number }>(
    database.db,
    sql`select id from members where merged_into_id is null order by random() limit 5000`,
  )
).map((r) => Number(r.id))
await refreshMemberStats(database.db, { memberIds: activeToday }, new Date(now.getTime() + 43_200_000))
// The rebuild rewrote most statistics rows; autovacuum would have cleaned up behind it by the next night.
await database.exec('vacuum analyze member_stats')

const before = await baseline(database)

// The nightly pass: windows moved on, then every member's stage, label and candidate score judged and
// every ready-made segment sized.
started = performance.now()
const pass = await nightlyMemberPass(database.db, nextNight)
const total = seconds(started)
const { overview } = pass

const after = await baseline(database)
const baselineSeconds = Math.round(((before + after) / 2) * 1000) / 1000
await database.close()

console.log(
  JSON.stringify({
    members,
    orders,
    seconds: total,
    baseline_seconds: baselineSeconds,
    ratio: Math.round((total / baselineSeconds) * 100) / 100,
    ready_made_segments: overview.segments.length,
    stage_changes: pass.stageChanges,
    stats_changed: pass.statsChanged,
    candidates_scored: overview.candidates.scored,
    candidates_50_plus: overview.candidates.scoring50Plus,
    full_rebuild_seconds: fullRebuild,
  }),
)
