// The numbers on the operator dashboard: the lifecycle funnel, tier distribution, reach and referral
// rates, the sales decomposition of seed 001 and monthly growth. Each is one set-based query; merged
// (absorbed) members are never counted, since their history lives on the surviving member.
import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import {
  funnelStages,
  type FunnelReport,
  type FunnelStage,
  type GrowthReport,
  type PeriodReport,
  type TierDistribution,
} from './contracts'
import { rate, type Period } from './period'
import { levelHeldAt } from '../db/schema/loyalty'

/** Orders that count as sales: paid and not cancelled or fully refunded. */
const countedStatuses = sql`('paid', 'shipped', 'completed')`

export async function funnelReport(db: Db): Promise<FunnelReport> {
  const rows = await queryRows<{ stage: FunnelStage; n: number }>(
    db,
    sql`select stage, count(*)::bigint as n from members where merged_into_id is null group by stage`,
  )
  const counts = new Map(rows.map((r) => [r.stage, Number(r.n)]))
  const atStage = funnelStages.map((stage) => counts.get(stage) ?? 0)
  const totalMembers = atStage.reduce((a, b) => a + b, 0)
  // reached[i] = members at stage i or further: a suffix sum over the five stages.
  const reached = atStage.map((_, i) => atStage.slice(i).reduce((a, b) => a + b, 0))
  return {
    totalMembers,
    stages: funnelStages.map((stage, i) => ({
      stage,
      members: atStage[i]!,
      reached: reached[i]!,
      fromPrevious: i === 0 ? null : rate(reached[i]!, reached[i - 1]!),
    })),
  }
}

export async function tierDistribution(db: Db, now: Date): Promise<TierDistribution> {
  const at = now.toISOString()
  const rows = await queryRows<{
    ladder_code: string
    ladder_name: string
    kind: 'vertical' | 'horizontal'
    level_code: string
    level_name: string
    rank: number
    n: number
    total: number
  }>(
    db,
    sql`
      with current_tiers as (
        select mt.level_id
        from member_tiers mt
        join members m on m.id = mt.member_id and m.merged_into_id is null
        where ${levelHeldAt('mt', sql`${at}::timestamptz`)}
      ),
      per_level as (select level_id, count(*)::bigint as n from current_tiers group by level_id)
      select ld.code as ladder_code, ld.name as ladder_name, ld.kind, lv.code as level_code,
        lv.name as level_name, lv.rank, coalesce(pl.n, 0)::bigint as n,
        (select count(*) from members where merged_into_id is null)::bigint as total
      from tier_ladders ld
      join tier_levels lv on lv.ladder_id = ld.id
      left join per_level pl on pl.level_id = lv.id
      order by ld.id, lv.rank`,
  )
  const totalMembers = Number(rows[0]?.total ?? 0)
  const ladders: TierDistribution['ladders'] = []
  for (const row of rows) {
    let ladder = ladders.at(-1)
    if (!ladder || ladder.code !== row.ladder_code) {
      ladder = { code: row.ladder_code, name: row.ladder_name, kind: row.kind, levels: [], withoutLevel: 0 }
      ladders.push(ladder)
    }
    ladder.levels.push({ code: row.level_code, name: row.level_name, rank: row.rank, members: Number(row.n) })
  }
  for (const ladder of ladders) {
    ladder.withoutLevel = totalMembers - ladder.levels.reduce((a, l) => a + l.members, 0)
  }
  return { totalMembers, ladders }
}

export async function periodReport(db: Db, period: Period): Promise<PeriodReport> {
  const start = period.start.toISOString()
  const end = period.end.toISOString()
  const [row] = await queryRows<Record<string, number>>(
    db,
    sql`
      with
      counted_orders as (
        select member_id, pay_fen - refunded_fen as net_fen
        from orders
        where paid_at >= ${start}::timestamptz and paid_at < ${end}::timestamptz
          and status in ${countedStatuses}
      ),
      buyers as (select member_id, count(*) as n from counted_orders group by member_id),
      period_events as (
        select member_id, type, payload from member_events
        where occurred_at >= ${start}::timestamptz and occurred_at < ${end}::timestamptz
      ),
      traffic as (select member_id from period_events union select member_id from buyers),
      reached as (
        select distinct member_id from period_events
        where type = 'campaign_delivered' or (type = 'chat_message' and payload->>'direction' = 'out')
      ),
      new_members as (
        select m.id, exists (select 1 from referrals r where r.referee_id = m.id) as referred
        from members m
        where m.merged_into_id is null
          and m.created_at >= ${start}::timestamptz and m.created_at < ${end}::timestamptz
      )
      select
        (select count(*) from traffic)::bigint as traffic,
        (select count(*) from buyers)::bigint as buyers,
        (select count(*) from buyers where n >= 2)::bigint as repeat_buyers,
        (select count(*) from counted_orders)::bigint as orders,
        (select coalesce(sum(net_fen), 0) from counted_orders)::bigint as sales_fen,
        (select count(*) from reached)::bigint as reached,
        (select count(*) from members
          where merged_into_id is null and created_at < ${end}::timestamptz)::bigint as members,
        (select count(*) from new_members)::bigint as new_members,
        (select count(*) from new_members where referred)::bigint as referred_new_members,
        (select count(distinct referrer_id) from referrals
          where attributed_at >= ${start}::timestamptz and attributed_at < ${end}::timestamptz)::bigint as referrers`,
  )
  const n = (key: string) => Number(row![key])
  const orders = n('orders')
  const buyers = n('buyers')
  const salesFen = n('sales_fen')
  return {
    from: period.from,
    to: period.to,
    reach: { reached: n('reached'), members: n('members'), rate: rate(n('reached'), n('members')) },
    referral: {
      newMembers: n('new_members'),
      referredNewMembers: n('referred_new_members'),
      referrers: n('referrers'),
      rate: rate(n('referred_new_members'), n('new_members')),
    },
    sales: {
      salesFen,
      traffic: n('traffic'),
      buyers,
      orders,
      repeatBuyers: n('repeat_buyers'),
      averageOrderFen: orders > 0 ? Math.round(salesFen / orders) : null,
      conversionRate: rate(buyers, n('traffic')),
      repurchaseRate: rate(n('repeat_buyers'), buyers),
      ordersPerBuyer: rate(orders, buyers),
    },
  }
}

/** New members, counted orders and revenue per Shanghai calendar month, the last `months` months. */
export async function growthReport(db: Db, now: Date, months: number): Promise<GrowthReport> {
  const at = now.toISOString()
  const rows = await queryRows<{ month: string; new_members: number; orders: number; revenue_fen: number }>(
    db,
    sql`
      with
      bounds as (
        select date_trunc('month', ${at}::timestamptz at time zone 'Asia/Shanghai')
          - make_interval(months => ${months - 1}) as first_month
      ),
      months as (
        select generate_series(first_month, first_month + make_interval(months => ${months - 1}),
          interval '1 month') as month
        from bounds
      ),
      joined as (
        select date_trunc('month', created_at at time zone 'Asia/Shanghai') as month, count(*) as n
        from members, bounds
        where merged_into_id is null and created_at >= (first_month at time zone 'Asia/Shanghai')
          and created_at <= ${at}::timestamptz
        group by 1
      ),
      sold as (
        select date_trunc('month', paid_at at time zone 'Asia/Shanghai') as month, count(*) as n,
          sum(pay_fen - refunded_fen) as fen
        from orders, bounds
        where status in ${countedStatuses} and paid_at >= (first_month at time zone 'Asia/Shanghai')
          and paid_at <= ${at}::timestamptz
        group by 1
      )
      select to_char(months.month, 'YYYY-MM') as month, coalesce(joined.n, 0)::bigint as new_members,
        coalesce(sold.n, 0)::bigint as orders, coalesce(sold.fen, 0)::bigint as revenue_fen
      from months
      left join joined on joined.month = months.month
      left join sold on sold.month = months.month
      order by months.month`,
  )
  return {
    months: rows.map((r) => ({
      month: r.month,
      newMembers: Number(r.new_members),
      orders: Number(r.orders),
      revenueFen: Number(r.revenue_fen),
    })),
  }
}
