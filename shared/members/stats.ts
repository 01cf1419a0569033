// Member statistics: the facts the lifecycle, the candidate ranking and the segments read, derived
// from orders, order items, the event stream and referrals. One statement family serves both the
// refresh of one member (on each of their events) and the nightly refresh of everybody: set-based
// aggregates joined per member and upserted, writing only rows whose figures changed.
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { MemberEventType } from './schema'

/** Events that show interest short of buying (the "intention" stage reads them). */
export const interestEventTypes: MemberEventType[] = [
  'product_view',
  'cart_add',
  'order_placed',
  'check_in',
  'survey_answered',
]

/** The orders that count as purchases: paid, and neither refunded in full nor cancelled. */
export const purchasedOrder = (alias: string) =>
  sql.raw(`${alias}.paid_at is not null and ${alias}.status not in ('refunded', 'cancelled')`)

const statColumns = [
  'paid_orders',
  'orders_90d',
  'orders_180d',
  'orders_365d',
  'spend_fen',
  'first_paid_at',
  'last_paid_at',
  'categories',
  'brands',
  'shares',
  'referrals',
  'feedbacks',
  'complaints',
  'last_feedback_at',
  'last_complaint_at',
  'interest_events',
  'inbound_chats',
  'last_event_at',
] as const

/** Which members to refresh: everybody, a list of ids, or an id range (bulk imports), inclusive. */
export type MemberScope = { all: true } | { memberIds: number[] } | { idRange: [number, number] }

/** The scope as a condition on a member id column (a trusted column name). */
export function scopeFilter(scope: MemberScope, column: string): SQL {
  const col = sql.raw(column)
  if ('all' in scope) return sql`true`
  if ('idRange' in scope) return sql`${col} between ${scope.idRange[0]} and ${scope.idRange[1]}`
  if (scope.memberIds.length === 0) return sql`false`
  return sql`${col} = any(array[${sql.join(
    scope.memberIds.map((id) => sql`${id}`),
    sql`, `,
  )}]::bigint[])`
}

/**
 * Recompute the statistics of the members in scope as of `at`. Returns how many rows changed.
 * Safe to run concurrently with itself: the upsert takes each member's row lock.
 */
export async function refreshMemberStats(db: Db, scope: MemberScope, at: Date): Promise<number> {
  if ('memberIds' in scope && scope.memberIds.length === 0) return 0
  const now = sql`${at.toISOString()}::timestamptz`
  const interest = sql.raw(interestEventTypes.map((t) => `'${t}'`).join(', '))
  const rows = await db.execute(sql`
    insert into member_stats (member_id, ${sql.raw(statColumns.join(', '))}, computed_at)
    select m.id,
      coalesce(o.paid_orders, 0), coalesce(o.orders_90d, 0), coalesce(o.orders_180d, 0),
      coalesce(o.orders_365d, 0), coalesce(o.spend_fen, 0), o.first_paid_at, o.last_paid_at,
      coalesce(c.categories, 0), coalesce(c.brands, 0),
      coalesce(e.shares, 0), coalesce(r.referrals, 0), coalesce(e.feedbacks, 0), coalesce(e.complaints, 0),
      e.last_feedback_at, e.last_complaint_at, coalesce(e.interest_events, 0),
      coalesce(e.inbound_chats, 0), e.last_event_at, ${now}
    from members m
    left join (
      select o.member_id, count(*)::int as paid_orders,
        (count(*) filter (where o.paid_at > ${now} - interval '90 days'))::int as orders_90d,
        (count(*) filter (where o.paid_at > ${now} - interval '180 days'))::int as orders_180d,
        (count(*) filter (where o.paid_at > ${now} - interval '365 days'))::int as orders_365d,
        sum(o.pay_fen - o.refunded_fen)::bigint as spend_fen,
        min(o.paid_at) as first_paid_at, max(o.paid_at) as last_paid_at
      from orders o
      where ${purchasedOrder('o')} and o.paid_at <= ${now} and ${scopeFilter(scope, 'o.member_id')}
      group by o.member_id
    ) o on o.member_id = m.id
    left join (
      select x.member_id, count(distinct x.category_id)::int as categories,
        count(distinct x.brand_id)::int as brands
      from (
        select o.member_id, oi.category_id, p.brand_id
        from orders o
        join order_items oi on oi.order_id = o.id
        left join products p on p.id = oi.product_id
        where ${purchasedOrder('o')} and o.paid_at <= ${now} and ${scopeFilter(scope, 'o.member_id')}
      ) x
      group by x.member_id
    ) c on c.member_id = m.id
    left join (
      select ev.member_id,
        (count(*) filter (where ev.type = 'share'))::int as shares,
        (count(*) filter (where ev.type = 'feedback'))::int as feedbacks,
        (count(*) filter (where ev.type = 'feedback' and ev.payload->>'sentiment' = 'complaint'))::int as complaints,
        max(ev.occurred_at) filter (where ev.type = 'feedback') as last_feedback_at,
        max(ev.occurred_at) filter (where ev.type = 'feedback' and ev.payload->>'sentiment' = 'complaint') as last_complaint_at,
        (count(*) filter (where ev.type in (${interest})))::int as interest_events,
        (count(*) filter (where ev.type = 'chat_message' and ev.payload->>'direction' = 'in'))::int as inbound_chats,
        max(ev.occurred_at) as last_event_at
      from member_events ev
      where ev.occurred_at <= ${now} and ${scopeFilter(scope, 'ev.member_id')}
      group by ev.member_id
    ) e on e.member_id = m.id
    left join (
      select rf.referrer_id, count(*)::int as referrals
      from referrals rf
      where rf.attributed_at <= ${now} and ${scopeFilter(scope, 'rf.referrer_id')}
      group by rf.referrer_id
    ) r on r.referrer_id = m.id
    where m.merged_into_id is null and ${scopeFilter(scope, 'm.id')}
    on conflict (member_id) do update set
      ${sql.raw(statColumns.map((c) => `${c} = excluded.${c}`).join(', '))},
      computed_at = excluded.computed_at
    where (${sql.raw(statColumns.map((c) => `member_stats.${c}`).join(', '))})
      is distinct from (${sql.raw(statColumns.map((c) => `excluded.${c}`).join(', '))})
  `)
  return (
    (rows as unknown as { rowCount?: number; affectedRows?: number }).rowCount ??
    (rows as unknown as { affectedRows?: number }).affectedRows ??
    0
  )
}
