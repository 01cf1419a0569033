// Benchmark: every member's total downline over a referral forest of 1,000,000 members, computed the
// way the referral-stats job does it (one read of the edges, one linear pass in memory) against one
// recursive SQL query in the same run, on the PostgreSQL server. Both deliver every member's total to
// the application; the two answers are compared member by member.
//
//   npm run bench:referral-tree            1,000,000 members
//   npm run bench:referral-tree -- --quick 100,000 members (under a minute)
//
// Uses its own database `bench_referral_tree` on postgres://postgres@127.0.0.1:5432 (dropped and
// recreated), or measures the referrals already in DATABASE_URL when that is set.
import { parseArgs } from 'node:util'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { openPostgres, queryRows, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { computeDownlineCounts, refreshReferralStats } from '../shared/referral/stats'
import { configFromEnvironment } from '../cli/runtime'

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, members: { type: 'string' } },
})
const members = Number(values.members ?? (values.quick ? 100_000 : 1_000_000))
const SERVER = 'postgres://postgres@127.0.0.1:5432'
const BENCH_DB = 'bench_referral_tree'
const ROUNDS = 2

const seconds = (ms: number) => Math.round(ms) / 1000

async function ownDatabase(): Promise<Database> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` })
  await admin.connect()
  await admin.query(`drop database if exists ${BENCH_DB} with (force)`)
  await admin.query(`create database ${BENCH_DB}`)
  await admin.end()
  const database = await openPostgres(`${SERVER}/${BENCH_DB}`, { max: 2 })
  await migrate(database)
  return database
}

/**
 * A forest shaped like a brand's: 30% of members arrived on their own (roots); a quarter were brought
 * by one of the first thousand members (the super communicators, with thousands each); the rest by an
 * earlier member chosen at random, which makes chains of some depth.
 */
async function buildForest(database: Database, n: number): Promise<void> {
  await database.exec(`
    select setseed(0.2026);
    insert into members (id, nickname, source, created_at, updated_at)
    select g, '会员' || g, 'bench', timestamptz '2024-01-01' + g * interval '1 minute', timestamptz '2024-01-01' + g * interval '1 minute'
    from generate_series(1, ${n}) g;
    select setval(pg_get_serial_sequence('members', 'id'), ${n});
    insert into referrals (referrer_id, referee_id, code, attributed_at)
    select case when r1 < 0.55 then 1 + floor(r2 * least(g - 1, 1000))::bigint else 1 + floor(r2 * (g - 1))::bigint end,
      g, 'R', timestamptz '2024-01-01' + g * interval '1 minute'
    from (select g, random() as r1, random() as r2 from generate_series(2, ${n}) g) x
    where r1 >= 0.3;
    analyze members;
    analyze referrals;
  `)
}

async function ours(database: Database) {
  const started = performance.now()
  const stats = await computeDownlineCounts(database.db)
  const ms = performance.now() - started
  const totals = new Map<number, number>()
  for (let k = 0; k < stats.memberIds.length; k++)
    if (stats.downlineCount[k]! > 0) totals.set(stats.memberIds[k]!, stats.downlineCount[k]!)
  return { ms, totals, maxDepth: stats.maxDepth, unreachable: stats.unreachable }
}

async function baseline(database: Database) {
  const started = performance.now()
  const rows = await queryRows<{ member_id: number; downline: number }>(
    database.db,
    sql`with recursive down(ancestor, member) as (
          select referrer_id, referee_id from referrals where referrer_id is not null
          union all
          select d.ancestor, r.referee_id from down d join referrals r on r.referrer_id = d.member
        )
        select ancestor as member_id, count(*)::int as downline from down group by ancestor`,
  )
  const ms = performance.now() - started
  return { ms, totals: new Map(rows.map((r) => [Number(r.member_id), r.downline])) }
}

const config = configFromEnvironment()
const database = config.DATABASE_URL
  ? await openPostgres(config.DATABASE_URL, { max: 2 })
  : await ownDatabase()
try {
  let buildMs = 0
  if (!config.DATABASE_URL) {
    const started = performance.now()
    await buildForest(database, members)
    buildMs = performance.now() - started
  }
  const [facts] = await queryRows<{ members: number; referrals: number }>(
    database.db,
    sql`select (select count(*) from members)::int as members,
               (select count(*) from referrals where referrer_id is not null)::int as referrals`,
  )
  // Warm the cache the same way for both: read the edges once.
  await queryRows(database.db, sql`select count(*) from referrals`)

  let best = { ours: Infinity, baseline: Infinity }
  let last: { o: Awaited<ReturnType<typeof ours>>; b: Awaited<ReturnType<typeof baseline>> } | null = null
  for (let round = 0; round < ROUNDS; round++) {
    const o = await ours(database)
    const b = await baseline(database)
    best = { ours: Math.min(best.ours, o.ms), baseline: Math.min(best.baseline, b.ms) }
    last = { o, b }
  }
  const { o, b } = last!
  let mismatches = Math.abs(o.totals.size - b.totals.size)
  for (const [id, total] of b.totals) if (o.totals.get(id) !== total) mismatches++

  // The referral-stats job: a first refresh writes every row, the next only what changed (nothing).
  let started = performance.now()
  await refreshReferralStats(database.db, new Date())
  const refreshMs = performance.now() - started
  started = performance.now()
  const again = await refreshReferralStats(database.db, new Date())
  const refreshAgainMs = performance.now() - started

  console.log(
    JSON.stringify({
      members: facts!.members,
      max_depth: o.maxDepth,
      seconds: seconds(best.ours),
      baseline_seconds: seconds(best.baseline),
      ratio: Math.round((best.ours / best.baseline) * 1000) / 1000,
      referrals: facts!.referrals,
      members_with_downline: b.totals.size,
      verified: mismatches === 0 && o.unreachable === 0,
      mismatches,
      build_seconds: seconds(buildMs),
      refresh_seconds: seconds(refreshMs),
      refresh_unchanged_seconds: seconds(refreshAgainMs),
      refresh_unchanged_rows_written: again.changed + again.removed,
      rounds: ROUNDS,
      quick: values.quick,
    }),
  )
  if (mismatches > 0) process.exitCode = 1
} finally {
  await database.close()
}
