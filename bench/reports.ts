// How long the console's reports take on a brand of 50,000 members (--quick: 5,000), each the median
// of five runs, with the ratio to one plain scan of the event stream measured in the same run.
// PGlite in memory by default; DATABASE_URL runs it on a PostgreSQL server (a database of its own).
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { openPglite, openPostgres, queryRows, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { seedDemo } from '../shared/demo/seed'
import { funnelReport, growthReport, periodReport, tierDistribution } from '../shared/reports/dashboard'
import { memberDetail, searchMembers } from '../shared/reports/member-directory'
import { reportPeriod } from '../shared/reports/period'

const quick = process.argv.includes('--quick')
const memberCount = quick ? 5_000 : 50_000
const now = new Date()

async function open(): Promise<Database> {
  const url = process.env.DATABASE_URL
  if (!url) return openPglite()
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query('drop database if exists bench_reports with (force)')
  await admin.query('create database bench_reports')
  await admin.end()
  const u = new URL(url)
  u.pathname = '/bench_reports'
  return openPostgres(u.toString())
}

async function median(run: () => Promise<unknown>): Promise<number> {
  await run()
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    await run()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[2]!
}

const database = await open()
await migrate(database)
const seeded = await seedDemo(database, { members: memberCount, now })
const db = database.db
const [someone] = await queryRows<{ id: number; phone: string }>(
  db,
  sql`select member_id as id, value as phone from member_identities where kind = 'phone' order by member_id desc limit 1`,
)

const baselineMs = await median(() => queryRows(db, sql`select count(*) from member_events`))
const figures: Record<string, number> = {
  funnelMs: await median(() => funnelReport(db)),
  tiersMs: await median(() => tierDistribution(db, now)),
  period30DaysMs: await median(() => periodReport(db, reportPeriod(now, {}))),
  period365DaysMs: await median(() =>
    periodReport(
      db,
      reportPeriod(now, { from: reportPeriod(new Date(now.getTime() - 364 * 86400_000), {}).to }),
    ),
  ),
  growth18MonthsMs: await median(() => growthReport(db, now, 18)),
  memberListPage1Ms: await median(() => searchMembers(db, now, { page: 1, pageSize: 20 })),
  memberSearchPhoneMs: await median(() =>
    searchMembers(db, now, { q: someone!.phone.slice(-6), page: 1, pageSize: 20 }),
  ),
  memberSearchNameMs: await median(() => searchMembers(db, now, { q: '王', page: 3, pageSize: 20 })),
  memberDetailMs: await median(() => memberDetail(db, now, someone!.id)),
}
const [events] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from member_events`)
const round = (n: number) => Math.round(n * 10) / 10
process.stdout.write(
  JSON.stringify({
    bench: 'reports',
    database: database.kind,
    members: memberCount,
    orders: seeded.orders,
    events: Number(events!.n),
    baselineEventScanMs: round(baselineMs),
    ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v)])),
    ...Object.fromEntries(
      Object.entries(figures).map(([k, v]) => [k.replace(/Ms$/, 'VsScan'), round(v / baselineMs)]),
    ),
  }) + '\n',
)
await database.close()
