// Member statistics: the facts the lifecycle, the candidate ranking and the segments read, derived
// from orders, order items, the event stream and referrals. One statement family serves the refresh of
// one member (on each of their events) and of everybody: set-based aggregates joined per member and
// upserted, writing only rows whose figures changed.
//
// Figures come in groups. Each recorded event refreshes its member in full. Windowed figures (orders in
// 90/180/365 days, engagement in 30) also drift with time: the nightly pass (nightly.ts) moves them on
// by the day's slice of orders and events leaving their windows. Anything written without an event
// (an order imported behind the event stream's back) is put right by the weekly full rebuild.
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, rowsAffected, type Db } from '../db/client'
import { memberEventTypes, type MemberEventType } from '../db/schema/members'
import { daysBeforeSql, nowSql } from './facts'

/** Events that show interest short of buying (the "intention" stage reads them). */
export const interestEventTypes: MemberEventType[] = [
  'product_view',
  'cart_add',
  'order_placed',
  'check_in',
  'survey_answered',
]

/** Events that show a member is engaged (system notices excluded): the "activity" a segment counts. */
export const engagementEventTypes = memberEventTypes.filter(
  (t) => !['points_changed', 'tier_changed', 'campaign_delivered', 'oa_unfollowed'].includes(t),
)

/** The engagement event types as a SQL list, for `type in (…)`. */
export const engagementTypesSql = sql.raw(engagementEventTypes.map((t) => `'${t}'`).join(', '))

/** The windows of the windowed order counts (`orders_90d`, …), in days. */
export const orderWindowsDays = [90, 180, 365] as const
/** The window of `engagement_30d`, in days: a segment on activity over this window reads the column. */
export const ENGAGEMENT_WINDOW_DAYS = 30

/** The orders that count as purchases: paid, and neither refunded in full nor cancelled. */
export const purchasedOrder = (alias: string) =>
  sql.raw(`${alias}.paid_at is not null and ${alias}.status not in ('refunded', 'cancelled')`)

/** The statistics columns by the source they are aggregated from. */
export const statGroups = {
  orders: [
    'paid_orders',
    'orders_90d',
    'orders_180d',
    'orders_365d',
    'spend_fen',
    'first_paid_at',
    'last_paid_at',
  ],
  items: ['categories', 'brands'],
  events: [
    'shares',
    'feedbacks',
    'complaints',
    'last_feedback_at',
    'last_complaint_at',
    'interest_events',
    'inbound_chats',
    'engagement_30d',
  ],
  referrals: ['referrals'],
} as const
export type StatGroup = keyof typeof statGroups
export const allStatGroups = Object.keys(statGroups) as StatGroup[]

/** Counts default to zero; timestamps to null. */
const zeroWhenMissing = (c: string) => !c.endsWith('_at')

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

/** The fresh figures of the given groups for the members in scope as of `at`. */
export function freshStats(scope: MemberScope, at: Date, groups: StatGroup[] = allStatGroups): SQL {
  const now = nowSql(at)
  const interest = sql.raw(interestEventTypes.map((t) => `'${t}'`).join(', '))
  const joins: Record<StatGroup, SQL> = {
    orders: sql`
    left join (
      select o.member_id, count(*)::int as paid_orders,
        (count(*) filter (where o.paid_at > ${daysBeforeSql(at, 90)}))::int as orders_90d,
        (count(*) filter (where o.paid_at > ${daysBeforeSql(at, 180)}))::int as orders_180d,
        (count(*) filter (where o.paid_at > ${daysBeforeSql(at, 365)}))::int as orders_365d,
        sum(o.pay_fen - o.refunded_fen)::bigint as spend_fen,
        min(o.paid_at) as first_paid_at, max(o.paid_at) as last_paid_at
      from orders o
      where ${purchasedOrder('o')} and o.paid_at <= ${now} and ${scopeFilter(scope, 'o.member_id')}
      group by o.member_id
    ) orders on orders.member_id = m.id`,
    items: sql`
    left join (
      -- distinct (member, category, brand) first, then counted per member
      select x.member_id, count(distinct x.category_id)::int as categories,
        count(distinct x.brand_id)::int as brands
      from (
        select o.member_id, oi.category_id, p.brand_id
        from orders o
        join order_items oi on oi.order_id = o.id
        left join products p on p.id = oi.product_id
        where ${purchasedOrder('o')} and o.paid_at <= ${now} and ${scopeFilter(scope, 'o.member_id')}
        group by 1, 2, 3
      ) x
      group by x.member_id
    ) items on items.member_id = m.id`,
    events: sql`
    left join (
      select ev.member_id,
        (count(*) filter (where ev.type = 'share'))::int as shares,
        (count(*) filter (where ev.type = 'feedback'))::int as feedbacks,
        (count(*) filter (where ev.type = 'feedback' and ev.payload->>'sentiment' = 'complaint'))::int as complaints,
        max(ev.occurred_at) filter (where ev.type = 'feedback') as last_feedback_at,
        max(ev.occurred_at) filter (where ev.type = 'feedback' and ev.payload->>'sentiment' = 'complaint') as last_complaint_at,
        (count(*) filter (where ev.type in (${interest})))::int as interest_events,
        (count(*) filter (where ev.type = 'chat_message' and ev.payload->>'direction' = 'in'))::int as inbound_chats,
        (count(*) filter (where ev.type in (${engagementTypesSql})
          and ev.occurred_at > ${daysBeforeSql(at, ENGAGEMENT_WINDOW_DAYS)}))::int as engagement_30d
      from member_events ev
      where ev.type in ('share', 'feedback', 'chat_message', ${interest}, ${engagementTypesSql})
        and ev.occurred_at <= ${now} and ${scopeFilter(scope, 'ev.member_id')}
      group by ev.member_id
    ) events on events.member_id = m.id`,
    referrals: sql`
    left join (
      select rf.referrer_id as member_id, count(*)::int as referrals
      from referrals rf
      where rf.attributed_at <= ${now} and ${scopeFilter(scope, 'rf.referrer_id')}
      group by rf.referrer_id
    ) referrals on referrals.member_id = m.id`,
  }
  const columns = groups.flatMap((g) =>
    statGroups[g].map((c) =>
      sql.raw(zeroWhenMissing(c) ? `coalesce(${g}.${c}, 0) as ${c}` : `${g}.${c} as ${c}`),
    ),
  )
  return sql`
    select m.id as member_id, ${sql.join(columns, sql`, `)}, ${now} as computed_at
    from members m
    ${sql.join(
      groups.map((g) => joins[g]),
      sql` `,
    )}
    where m.merged_into_id is null and ${scopeFilter(scope, 'm.id')}`
}

/** Do these groups include every windowed figure (so a refresh brings the member's windows up to date)? */
const coversWindows = (groups: StatGroup[]) => groups.includes('orders') && groups.includes('events')

/**
 * Upsert the given groups' columns from `source` for a few members. Figures are written when they
 * changed (and `computed_at` with them); `windows_at` moves on every refresh that covers the windows.
 */
function upsertStats(source: SQL, groups: StatGroup[]): SQL {
  const cols = groups.flatMap((g) => [...statGroups[g]])
  const list = cols.join(', ')
  const changed = sql.raw(
    `(${cols.map((c) => `member_stats.${c}`).join(', ')}) is distinct from (${cols.map((c) => `excluded.${c}`).join(', ')})`,
  )
  const windows = coversWindows(groups)
  return sql`
    insert into member_stats (member_id, ${sql.raw(list)}, computed_at, windows_at)
    select member_id, ${sql.raw(list)}, computed_at, ${windows ? sql`computed_at` : sql`null`} from (${source}) fresh
    on conflict (member_id) do update set
      ${sql.raw(cols.map((c) => `${c} = excluded.${c}`).join(', '))},
      computed_at = case when ${changed} then excluded.computed_at else member_stats.computed_at end
      ${windows ? sql`, windows_at = excluded.windows_at` : sql``}
    where ${changed} ${windows ? sql`or member_stats.windows_at is distinct from excluded.windows_at` : sql``}`
}

/**
 * Settings for a pass over many members, local to its transaction: memory for the per-member hash
 * aggregates, no JIT compilation, and hash joins only — right after a bulk import the planner's row estimates are stale
 * and a nested loop over a re-scanned aggregate would take hours.
 */
export async function bulkSettings(tx: Db, options: { hashJoinsOnly?: boolean } = {}): Promise<void> {
  await tx.execute(sql`set local work_mem = '256MB'`)
  // These statements carry many expressions (every segment's condition, every rule): compiling them
  // to machine code costs PostgreSQL seconds per worker, far more than it saves on a million rows.
  await tx.execute(sql`set local jit = off`)
  if (options.hashJoinsOnly ?? true) await tx.execute(sql`set local enable_nestloop = off`)
}

/** Run a query over many members with bulkSettings, in its own transaction. */
export function inBulk<T>(
  db: Db,
  fn: (tx: Db) => Promise<T>,
  options?: { hashJoinsOnly?: boolean },
): Promise<T> {
  return db.transaction(async (tx) => {
    await bulkSettings(tx, options)
    return fn(tx)
  })
}

/**
 * Recompute the given groups of statistics (all by default) of the members in scope as of `at`; returns
 * how many rows changed. A few members: one upsert. Everybody or an id range: the aggregates are built
 * into a temporary table first — a plain query, so PostgreSQL may scan in parallel — then rows whose
 * figures changed are updated through one hash join and members without a row get one; an upsert would
 * probe the primary key and lock a row for every member, changed or not.
 */
export async function refreshMemberStats(
  db: Db,
  scope: MemberScope,
  at: Date,
  groups: StatGroup[] = allStatGroups,
): Promise<number> {
  if ('memberIds' in scope) {
    if (scope.memberIds.length === 0) return 0
    return rowsAffected(await db.execute(upsertStats(freshStats(scope, at, groups), groups)))
  }
  const cols = groups.flatMap((g) => [...statGroups[g]])
  const list = sql.raw(cols.join(', '))
  return db.transaction(async (tx) => {
    await bulkSettings(tx)
    await tx.execute(sql`drop table if exists member_stats_fresh`)
    await tx.execute(
      sql`create temp table member_stats_fresh on commit drop as ${freshStats(scope, at, groups)}`,
    )
    await tx.execute(sql`analyze member_stats_fresh`)
    const updated = rowsAffected(
      await tx.execute(sql`
        update member_stats s set ${sql.raw(cols.map((c) => `${c} = f.${c}`).join(', '))},
          computed_at = f.computed_at ${coversWindows(groups) ? sql`, windows_at = f.computed_at` : sql``}
        from member_stats_fresh f
        where s.member_id = f.member_id
          and (${sql.raw(cols.map((c) => `s.${c}`).join(', '))})
            is distinct from (${sql.raw(cols.map((c) => `f.${c}`).join(', '))})`),
    )
    const inserted = rowsAffected(
      await tx.execute(sql`
        insert into member_stats (member_id, ${list}, computed_at, windows_at)
        select f.member_id, ${sql.raw(cols.map((c) => `f.${c}`).join(', '))}, f.computed_at,
          ${coversWindows(groups) ? sql`f.computed_at` : sql`null`}
        from member_stats_fresh f
        where not exists (select 1 from member_stats s where s.member_id = f.member_id)
        on conflict (member_id) do nothing`),
    )
    // Unchanged rows keep their `windows_at`: the watermark says they are right as of this rebuild.
    if ('all' in scope && coversWindows(groups)) await setWindowsWatermark(tx, at)
    return updated + inserted
  })
}

const WINDOWS = 'windows'

/** When every member's windowed figures were last known right (null: never, or unknown). */
export async function windowsWatermark(db: Db): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string }>(
    db,
    sql`select at from member_stats_watermarks where name = ${WINDOWS}`,
  )
  return row ? new Date(row.at) : null
}

export async function setWindowsWatermark(db: Db, at: Date): Promise<void> {
  await db.execute(sql`insert into member_stats_watermarks (name, at) values (${WINDOWS}, ${at.toISOString()}::timestamptz)
    on conflict (name) do update set at = excluded.at`)
}
