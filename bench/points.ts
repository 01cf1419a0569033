// `npm run bench:points [-- --quick]`: points accruals through the points service (grantPoints: the
// ledger entry with its unique source key and indexes, and the balance moved in the same statement)
// on PostgreSQL, against bare single-row INSERTs into an unindexed table, measured in the same run with
// the same connections and concurrency. Prints one JSON line. Uses its own database `bench_points`
// (dropped and recreated) unless DATABASE_URL is set.
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { openPostgres, queryRows } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { grantPoints } from '../shared/points/ledger'
import { defaultPointsExpiry } from '../shared/points/earning'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
  },
})
const accruals = values.quick ? 6_000 : 100_000
const concurrency = Number(values.concurrency)
const memberCount = values.quick ? 2_000 : 20_000
const server = 'postgres://postgres@127.0.0.1:5432'

async function freshDatabase(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL
  const admin = new pg.Client({ connectionString: `${server}/postgres` })
  await admin.connect()
  await admin.query('drop database if exists bench_points with (force)')
  await admin.query('create database bench_points')
  await admin.end()
  return `${server}/bench_points`
}

const database = await openPostgres(await freshDatabase(), { max: concurrency })
await migrate(database)
const pool = database.driver as pg.Pool
const run = `${process.pid}-${Date.now()}`
await database.exec(`
  insert into members (name, source) select '压测会员' || g, 'bench' from generate_series(1, ${memberCount}) g;
  drop table if exists bench_bare_inserts;
  create table bench_bare_inserts (member_id bigint, amount int, source_key text, reason text, created_at timestamptz);
`)
const [range] = await queryRows<{ lo: number; hi: number }>(
  database.db,
  sql`select min(id)::bigint as lo, max(id)::bigint as hi from members where source = 'bench'`,
)
const memberAt = (i: number) => range!.lo + ((i * 7919) % (range!.hi - range!.lo + 1))

/** Run `count` operations on `concurrency` workers; returns operations per second. */
async function measure(count: number, op: (i: number) => Promise<unknown>, offset: number): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await op(offset + i)
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

const at = new Date()
const expiresAt = defaultPointsExpiry(at)
const bare = (i: number) =>
  pool.query(
    'insert into bench_bare_inserts (member_id, amount, source_key, reason, created_at) values ($1, $2, $3, $4, $5)',
    [memberAt(i), 1 + (i % 500), `bare:${run}:${i}`, '消费积分', at],
  )
const accrue = (i: number) =>
  grantPoints(database.db, {
    memberId: memberAt(i),
    amount: 1 + (i % 500),
    sourceKey: `order:${run}:${i}:earn`,
    reason: '消费积分',
    at,
    expiresAt,
  })

// Warm up both paths, then alternate halves so neither side gets the quieter moment of the run.
await measure(500, bare, 10_000_000)
await measure(500, accrue, 10_000_000)
const half = accruals / 2
const rates = { bare: [] as number[], service: [] as number[] }
for (let round = 0; round < 2; round++) {
  rates.bare.push(await measure(half, bare, round * half))
  rates.service.push(await measure(half, accrue, round * half))
}
const harmonic = (xs: number[]) => xs.length / xs.reduce((s, x) => s + 1 / x, 0)
const perSecond = harmonic(rates.service)
const baselinePerSecond = harmonic(rates.bare)

// The ledger still adds up after the run: every balance is the sum of its entries.
const [check] = await queryRows<{ off: number }>(
  database.db,
  sql`select count(*)::int as off from points_accounts a
      where a.balance <> (select coalesce(sum(amount), 0) from points_entries e where e.member_id = a.member_id)`,
)
await database.close()

console.log(
  JSON.stringify({
    accruals,
    per_second: Math.round(perSecond),
    baseline_per_second: Math.round(baselinePerSecond),
    ratio: Math.round((perSecond / baselinePerSecond) * 1000) / 1000,
    concurrency,
    members: memberCount,
    ledger_adds_up: check!.off === 0,
    quick: values.quick,
  }),
)
