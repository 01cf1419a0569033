// What a campaign brought, per run and per advisor account: sent, failed, replied within 48 hours of
// delivery, ordered within 7 days of delivery, the revenue and points of those orders (plus the points
// the campaign gave), and the uplift against the holdout — the share of the audience not sent to,
// measured over the same 7 days from the run's start, so the effect is measured rather than guessed.
import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'

export const REPLY_WINDOW_HOURS = 48
export const ORDER_WINDOW_DAYS = 7

export interface ResultCounts {
  audience: number
  send: number
  holdout: number
  optedOut: number
  direct: number
  subscribe: number
  unreachable: number
  pending: number
  sent: number
  failed: number
  replied: number
  orderedMembers: number
  orders: number
  revenueFen: number
  orderPoints: number
  giftPoints: number
  /** The same 7 days from the run's start, for both cohorts: what the uplift compares. */
  sendBuyers: number
  sendRevenueFen: number
  holdoutBuyers: number
  holdoutRevenueFen: number
  groupPosts: number
  groupSent: number
  groupFailed: number
}

export interface Uplift {
  sendConversion: number | null
  holdoutConversion: number | null
  /** Percentage points: send conversion minus holdout conversion. */
  conversionUpliftPts: number | null
  sendRevenuePerMemberFen: number | null
  holdoutRevenuePerMemberFen: number | null
  /** (revenue per member sent − per member held out) × members sent. */
  incrementalRevenueFen: number | null
}

const zero = (): ResultCounts => ({
  audience: 0,
  send: 0,
  holdout: 0,
  optedOut: 0,
  direct: 0,
  subscribe: 0,
  unreachable: 0,
  pending: 0,
  sent: 0,
  failed: 0,
  replied: 0,
  orderedMembers: 0,
  orders: 0,
  revenueFen: 0,
  orderPoints: 0,
  giftPoints: 0,
  sendBuyers: 0,
  sendRevenueFen: 0,
  holdoutBuyers: 0,
  holdoutRevenueFen: 0,
  groupPosts: 0,
  groupSent: 0,
  groupFailed: 0,
})

function add(into: ResultCounts, from: ResultCounts): ResultCounts {
  for (const k of Object.keys(into) as (keyof ResultCounts)[]) into[k] += from[k]
  return into
}

export function uplift(c: ResultCounts): Uplift {
  const rate = (n: number, d: number) => (d > 0 ? n / d : null)
  const sendConversion = rate(c.sendBuyers, c.send)
  const holdoutConversion = rate(c.holdoutBuyers, c.holdout)
  const sendRpm = rate(c.sendRevenueFen, c.send)
  const holdoutRpm = rate(c.holdoutRevenueFen, c.holdout)
  return {
    sendConversion,
    holdoutConversion,
    conversionUpliftPts:
      sendConversion !== null && holdoutConversion !== null
        ? Math.round((sendConversion - holdoutConversion) * 10000) / 100
        : null,
    sendRevenuePerMemberFen: sendRpm === null ? null : Math.round(sendRpm),
    holdoutRevenuePerMemberFen: holdoutRpm === null ? null : Math.round(holdoutRpm),
    incrementalRevenueFen:
      sendRpm !== null && holdoutRpm !== null ? Math.round((sendRpm - holdoutRpm) * c.send) : null,
  }
}

const columns: [keyof ResultCounts, string][] = [
  ['audience', 'audience'],
  ['send', 'send'],
  ['holdout', 'holdout'],
  ['optedOut', 'opted_out'],
  ['direct', 'direct'],
  ['subscribe', 'subscribe'],
  ['unreachable', 'unreachable'],
  ['pending', 'pending'],
  ['sent', 'sent'],
  ['failed', 'failed'],
  ['replied', 'replied'],
  ['orderedMembers', 'ordered_members'],
  ['orders', 'orders'],
  ['revenueFen', 'revenue_fen'],
  ['orderPoints', 'order_points'],
  ['giftPoints', 'gift_points'],
  ['sendBuyers', 'send_buyers'],
  ['sendRevenueFen', 'send_revenue_fen'],
  ['holdoutBuyers', 'holdout_buyers'],
  ['holdoutRevenueFen', 'holdout_revenue_fen'],
]

export interface RunResults {
  runId: number
  runDate: string
  occasionKey: string
  occasionName: string | null
  status: string
  startedAt: string
  totals: ResultCounts
  uplift: Uplift
  accounts: { accountId: number | null; totals: ResultCounts; uplift: Uplift }[]
}

/** Results of every run of a campaign (or one run), per account, with totals and uplift. */
export async function campaignResults(db: Db, campaignId: number, runId: number | null = null) {
  const runFilter = runId === null ? sql`` : sql`and ru.id = ${runId}`
  const paidStatuses = sql`('paid', 'shipped', 'completed', 'refunded')`
  const rows = await queryRows<Record<string, number | null>>(
    db,
    sql`select f.run_id, f.account_id,
        count(*)::int as audience,
        count(*) filter (where f.cohort = 'send')::int as send,
        count(*) filter (where f.cohort = 'holdout')::int as holdout,
        count(*) filter (where f.cohort = 'opted_out')::int as opted_out,
        count(*) filter (where f.cohort = 'send' and f.channel = 'direct')::int as direct,
        count(*) filter (where f.cohort = 'send' and f.channel = 'subscribe')::int as subscribe,
        count(*) filter (where f.cohort = 'send' and f.channel = 'none')::int as unreachable,
        count(*) filter (where f.delivery in ('queued', 'claimed', 'pending', 'sending'))::int as pending,
        count(*) filter (where f.delivery = 'sent')::int as sent,
        count(*) filter (where f.delivery in ('failed', 'dead'))::int as failed,
        count(*) filter (where f.replied)::int as replied,
        count(*) filter (where f.att_orders > 0)::int as ordered_members,
        coalesce(sum(f.att_orders), 0)::int as orders,
        coalesce(sum(f.att_revenue), 0)::bigint as revenue_fen,
        coalesce(sum(f.att_points), 0)::bigint as order_points,
        coalesce(sum(f.gift_points), 0)::bigint as gift_points,
        count(*) filter (where f.cohort = 'send' and f.win_orders > 0)::int as send_buyers,
        coalesce(sum(f.win_revenue) filter (where f.cohort = 'send'), 0)::bigint as send_revenue_fen,
        count(*) filter (where f.cohort = 'holdout' and f.win_orders > 0)::int as holdout_buyers,
        coalesce(sum(f.win_revenue) filter (where f.cohort = 'holdout'), 0)::bigint as holdout_revenue_fen
      from (
        select r.run_id, r.account_id, r.cohort, r.channel, d.delivery, d.delivered_at,
          d.delivered_at is not null and exists (select 1 from member_events e
            where e.member_id = r.member_id and e.type = 'chat_message' and e.payload->>'direction' = 'in'
              and e.occurred_at > d.delivered_at and e.occurred_at <= d.delivered_at + make_interval(hours => ${REPLY_WINDOW_HOURS})) as replied,
          att.orders as att_orders, att.revenue as att_revenue, att.points as att_points,
          win.orders as win_orders, win.revenue as win_revenue,
          (select pe.amount from points_entries pe where pe.source_key = 'campaign:' || r.run_id || ':' || r.member_id || ':gift') as gift_points
        from campaign_recipients r
        join campaign_runs ru on ru.id = r.run_id
        left join outbound_messages o on o.dedupe_key = 'campaign:' || r.run_id || ':' || r.member_id
        cross join lateral (select
            case r.channel when 'direct' then o.status when 'subscribe' then r.subscribe_status end as delivery,
            case r.channel when 'direct' then o.sent_at when 'subscribe' then
              case when r.subscribe_status = 'sent' then r.subscribe_sent_at end end as delivered_at) d
        left join lateral (select count(*) as orders, sum(od.pay_fen - od.refunded_fen) as revenue,
              sum((select pe.amount from points_entries pe where pe.source_key = 'order:' || od.order_no || ':earn')) as points
            from orders od where od.member_id = r.member_id and od.status in ${paidStatuses}
              and d.delivered_at is not null and od.paid_at > d.delivered_at
              and od.paid_at <= d.delivered_at + make_interval(days => ${ORDER_WINDOW_DAYS})) att on true
        left join lateral (select count(*) as orders, sum(od.pay_fen - od.refunded_fen) as revenue
            from orders od where od.member_id = r.member_id and od.status in ${paidStatuses} and r.cohort in ('send', 'holdout')
              and od.paid_at > ru.started_at and od.paid_at <= ru.started_at + make_interval(days => ${ORDER_WINDOW_DAYS})) win on true
        where ru.campaign_id = ${campaignId} ${runFilter}
      ) f
      group by f.run_id, f.account_id`,
  )
  const groupRows = await queryRows<{
    run_id: number
    account_id: number
    posts: number
    sent: number
    failed: number
  }>(
    db,
    sql`select o.campaign_run_id as run_id, o.account_id, count(*)::int as posts,
          count(*) filter (where o.status = 'sent')::int as sent,
          count(*) filter (where o.status in ('failed', 'dead'))::int as failed
        from outbound_messages o join campaign_runs ru on ru.id = o.campaign_run_id
        where o.kind = 'group' and ru.campaign_id = ${campaignId} ${runFilter}
        group by 1, 2`,
  )
  const runs = await queryRows<{
    id: number
    run_date: string
    occasion_key: string
    occasion_name: string | null
    status: string
    started_at: Date
  }>(
    db,
    sql`select ru.id, ru.run_date::text as run_date, ru.occasion_key, ru.occasion_name, ru.status, ru.started_at
        from campaign_runs ru where ru.campaign_id = ${campaignId} ${runFilter} order by ru.id`,
  )

  const perRunAccount = new Map<number, Map<number | null, ResultCounts>>()
  const cell = (run: number, account: number | null) => {
    let accounts = perRunAccount.get(run)
    if (!accounts) perRunAccount.set(run, (accounts = new Map()))
    let c = accounts.get(account)
    if (!c) accounts.set(account, (c = zero()))
    return c
  }
  for (const row of rows) {
    const c = cell(Number(row.run_id), row.account_id === null ? null : Number(row.account_id))
    for (const [key, column] of columns) c[key] += Number(row[column] ?? 0)
  }
  for (const g of groupRows) {
    const c = cell(Number(g.run_id), Number(g.account_id))
    c.groupPosts += Number(g.posts)
    c.groupSent += Number(g.sent)
    c.groupFailed += Number(g.failed)
  }

  const campaignTotals = zero()
  const accountTotals = new Map<number | null, ResultCounts>()
  const runResults: RunResults[] = runs.map((run) => {
    const accounts = [
      ...(perRunAccount.get(Number(run.id)) ?? new Map<number | null, ResultCounts>()).entries(),
    ].sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    const totals = zero()
    for (const [accountId, c] of accounts) {
      add(totals, c)
      add(accountTotals.get(accountId) ?? accountTotals.set(accountId, zero()).get(accountId)!, c)
    }
    add(campaignTotals, totals)
    return {
      runId: Number(run.id),
      runDate: run.run_date,
      occasionKey: run.occasion_key,
      occasionName: run.occasion_name,
      status: run.status,
      startedAt: new Date(run.started_at).toISOString(),
      totals,
      uplift: uplift(totals),
      accounts: accounts.map(([accountId, c]) => ({ accountId, totals: c, uplift: uplift(c) })),
    }
  })
  return {
    campaignId,
    windows: { replyHours: REPLY_WINDOW_HOURS, orderDays: ORDER_WINDOW_DAYS },
    totals: campaignTotals,
    uplift: uplift(campaignTotals),
    accounts: [...accountTotals.entries()]
      .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
      .map(([accountId, c]) => ({ accountId, totals: c, uplift: uplift(c) })),
    runs: runResults,
  }
}

/** Members a run could not reach (no advisor, no chat contact, no subscribe consent left), for follow-up. */
export async function unreachableRecipients(db: Db, runId: number, limit = 500) {
  return queryRows<{
    member_id: number
    member_no: string
    name: string | null
    account_id: number | null
    reason: string
  }>(
    db,
    sql`select r.member_id, m.member_no, coalesce(m.name, m.nickname) as name, r.account_id, r.unreachable_reason as reason
        from campaign_recipients r join members m on m.id = r.member_id
        where r.run_id = ${runId} and r.cohort = 'send' and r.channel = 'none'
        order by r.member_id limit ${limit}`,
  )
}
