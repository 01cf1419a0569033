import { sql } from 'drizzle-orm'
import { openPostgres } from './shared/db/client'
import { campaignInputSchema, checkCampaign } from './shared/campaigns/definition'
import { audienceQuery } from './shared/campaigns/render-query'
import { campaignIntegrations } from './shared/campaigns/integrations'
const database = await openPostgres('postgres://postgres@127.0.0.1:5432/bench_campaign', { max: 2 })
const c = checkCampaign(campaignInputSchema.parse({
    name: '中秋问候', kind: 'holiday', kindArgs: { occasion: 'mid_autumn' }, channel: 'direct',
    variants: [
      '{{name|亲}}，{{festival}}快乐！我是您的专属顾问{{advisor}}，祝您和家人团团圆圆。您现在是{{tier}}，积分{{points}}分。',
      '{{name|亲}}，月圆人团圆，{{advisor}}祝您{{festival}}快乐～您的{{tier}}积分还有{{points}}分，别忘了用哦。',
    ],
    schedule: { type: 'yearly', time: '09:00' },
}))
const [span] = (await database.db.execute(sql`select min(id) lo, max(id) hi from members`) as any).rows
const q = await audienceQuery(c, { db: database.db, at: new Date(), runDate: '2026-09-25', literals: { occasionName: '中秋节', dateText: '9月25日', couponTitle: null, giftPoints: null }, integrations: campaignIntegrations, holdoutSeed: 'run:1:', campaignId: 1, runId: 1 }, { variant: 'random', range: [Number(span.lo), Number(span.lo) + 24999] })
await database.db.transaction(async (tx) => {
  await tx.execute(sql`set local jit = off`); await tx.execute(sql`set local work_mem = '64MB'`)
  await tx.execute(sql`delete from outbound_messages`)
  await tx.execute(sql`delete from campaign_recipients`)
  const r = await tx.execute(sql`explain (analyze) with q as materialized (${q}),
        recipients as (
          insert into campaign_recipients
            (run_id, member_id, account_id, cohort, channel, unreachable_reason, variant, subscribe_data, subscribe_status, created_at)
          select 1, q.member_id, q.account_id, q.cohort, q.channel, q.unreachable_reason, q.variant, q.subscribe_data,
            case when q.subscribe_data is not null then 'pending' end, now()
          from q
          on conflict (run_id, member_id) do nothing)
        insert into outbound_messages (dedupe_key, account_id, member_id, kind, text, source, campaign_run_id, not_before, created_at)
        select 'campaign:' || 1 || ':' || q.member_id, q.account_id, q.member_id, 'direct', q.text, 'campaign',
          1, now(), now()
        from q where q.cohort = 'send' and q.channel = 'direct'
        on conflict (dedupe_key) do nothing`)
  for (const row of (r as any).rows) console.log(row['QUERY PLAN'])
  tx.rollback()
}).catch((e) => console.log(String(e).slice(0, 100)))
await database.close()
