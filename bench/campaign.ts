// `npm run bench:campaign [-- --quick]`: plan a Mid-Autumn greeting to 50,000 members over 20 advisor
// accounts — audience evaluation, rendering (name, advisor, tier, points, two wording variants) and
// enqueueing into the paced outbox — against the floor for writing the same rows: one
// INSERT … SELECT of the same members into the outbox, timed in the same run on the same database.
// Prints one JSON line. Runs on DATABASE_URL, or on its own database `bench_campaign` on the local
// PostgreSQL server (dropped and recreated).
import { parseArgs } from 'node:util'
import pg from 'pg'
import { pino } from 'pino'
import { sql } from 'drizzle-orm'
import { openPostgres, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { VirtualClock } from '../shared/clock'
import { createLogger } from '../shared/logger'
import { campaignInputSchema } from '../shared/campaigns/definition'
import { approveCampaign, createCampaign } from '../shared/campaigns/service'
import { campaignIntegrations } from '../shared/campaigns/integrations'
import { runDueCampaigns } from '../shared/campaigns/planner'
import { seedReferenceData } from '../shared/demo/seed'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const MEMBERS = values.quick ? 10_000 : 50_000
const ACCOUNTS = 20
const ROUNDS = values.quick ? 1 : 3
const SERVER = 'postgres://postgres@127.0.0.1:5432'

async function openBenchDatabase(): Promise<Database> {
  if (process.env.DATABASE_URL) return openPostgres(process.env.DATABASE_URL, { max: 4 })
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` })
  await admin.connect()
  await admin.query('drop database if exists bench_campaign with (force)')
  await admin.query('create database bench_campaign')
  await admin.end()
  return openPostgres(`${SERVER}/bench_campaign`, { max: 4 })
}

/** 20 advisor accounts and 50,000 members spread over them, each with a chat contact, points and a tier. */
async function seed(database: Database): Promise<void> {
  await seedReferenceData(database.db)
  await database.exec(`
    begin;
    insert into bot_accounts (name, display_name, state, daily_cap)
    select 'bench-advisor-' || g, '顾问' || g || ' · 专属顾问', 'online', 400 from generate_series(1, ${ACCOUNTS}) g;
    create temp table acc on commit drop as
      select row_number() over (order by id) - 1 as i, id from bot_accounts where name like 'bench-advisor-%';
    insert into members (name, nickname, advisor_account_id, source, stage, birthday, created_at)
    select case when g % 10 = 0 then null else (array['王','李','张','刘','陈'])[1 + g % 5] || (array['丽','静','敏','婷','雪','琳'])[1 + g % 6] end,
      '微信用户' || g, (select id from acc where i = g % ${ACCOUNTS}), 'bench', 'customer',
      date '1980-01-01' + (g % 9000), now() - (g % 500) * interval '1 day'
    from generate_series(1, ${MEMBERS}) g;
    insert into member_identities (member_id, kind, value, verified)
    select id, 'chat_contact', advisor_account_id || ':wxid_bench_' || id, true from members where source = 'bench';
    insert into points_accounts (member_id, balance) select id, (id * 37) % 5000 from members where source = 'bench';
    insert into member_tiers (member_id, ladder_id, level_id, starts_at, source)
    select m.id, lv.ladder_id, lv.id, now() - interval '30 days', 'bench'
    from members m join tier_ladders ld on ld.code = 'spend'
    join tier_levels lv on lv.ladder_id = ld.id and lv.rank = 1 + m.id % 4
    where m.source = 'bench';
    commit;
    analyze;`)
}

async function clearOutbox(database: Database) {
  await database.exec(
    `delete from outbound_messages; delete from campaign_recipients; delete from campaign_runs;`,
  )
  await database.exec('vacuum analyze outbound_messages')
  await database.exec('vacuum analyze campaign_recipients')
}

async function main() {
  const database = await openBenchDatabase()
  await migrate(database)
  await seed(database)
  // BENCH_LOG=1 logs each run's phase timings to stderr.
  const logger = createLogger({
    level: process.env.BENCH_LOG === '1' ? 'info' : 'silent',
    destination: pino.destination(2),
  })
  const clock = new VirtualClock('2026-09-25T01:00:00Z') // 09:00 on Mid-Autumn day in Shanghai
  const ctx = { db: database.db, clock, integrations: campaignIntegrations }
  const input = campaignInputSchema.parse({
    name: '中秋问候',
    kind: 'holiday',
    kindArgs: { occasion: 'mid_autumn' },
    channel: 'direct',
    variants: [
      '{{name|亲}}，{{festival}}快乐！我是您的专属顾问{{advisor}}，祝您和家人团团圆圆。您现在是{{tier}}，积分{{points}}分。',
      '{{name|亲}}，月圆人团圆，{{advisor}}祝您{{festival}}快乐～您的{{tier}}积分还有{{points}}分，别忘了用哦。',
    ],
    schedule: { type: 'yearly', time: '09:00' },
  })

  let planBest = Infinity
  let baseBest = Infinity
  let enqueued = 0
  let baselineRows = 0
  for (let round = 0; round < ROUNDS; round++) {
    await clearOutbox(database)
    let t = performance.now()
    const r = await database.db.execute(sql`insert into outbound_messages
        (dedupe_key, account_id, member_id, kind, text, source, not_before)
      select 'baseline:' || m.id, m.advisor_account_id, m.id, 'direct', coalesce(m.name, '亲') || '，中秋节快乐！', 'campaign', now()
      from members m
      where m.advisor_account_id is not null and m.opted_out_at is null and m.merged_into_id is null`)
    baseBest = Math.min(baseBest, (performance.now() - t) / 1000)
    baselineRows = (r as unknown as { rowCount: number }).rowCount

    await clearOutbox(database)
    await database.exec(`delete from campaigns`)
    const created = await createCampaign(ctx, input, null)
    await approveCampaign(ctx, created.id, created.version, 1)
    t = performance.now()
    const outcome = await runDueCampaigns({
      db: database.db,
      clock,
      logger,
      integrations: campaignIntegrations,
      owner: 'bench',
    })
    planBest = Math.min(planBest, (performance.now() - t) / 1000)
    if (outcome.planned !== 1) throw new Error(`plan failed: ${JSON.stringify(outcome)}`)
    const [row] = (
      (await database.db.execute(
        sql`select count(*)::int as n from outbound_messages where source = 'campaign'`,
      )) as unknown as {
        rows: { n: number }[]
      }
    ).rows
    enqueued = row!.n
  }
  if (enqueued !== baselineRows) throw new Error(`plan enqueued ${enqueued} rows, baseline ${baselineRows}`)
  await database.close()
  const round3 = (n: number) => Math.round(n * 1000) / 1000
  console.log(
    JSON.stringify({
      members: MEMBERS,
      accounts: ACCOUNTS,
      enqueued,
      plan_seconds: round3(planBest),
      baseline_seconds: round3(baseBest),
      ratio: Math.round((planBest / baseBest) * 100) / 100,
      rounds: ROUNDS,
      database: 'postgres',
    }),
  )
}

await main()
