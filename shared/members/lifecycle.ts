// Where each member stands on the journey: recomputed from their statistics by the stage rules, for one
// member on each event and for everybody in the nightly pass — the same set-based statement either way,
// which also writes the stage history the funnel is drawn from.
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { queryRows, rowsAffected } from '../db/client'
import { lifecycleStages, type LifecycleStage } from './schema'
import {
  allStatGroups,
  bulkSettings,
  ENGAGEMENT_WINDOW_DAYS,
  engagementTypesSql,
  orderWindowsDays,
  purchasedOrder,
  refreshMemberStats,
  scopeFilter,
  setWindowsWatermark,
  windowsWatermark,
  type MemberScope,
  type StatGroup,
} from './stats'
import { defaultRepurchaserRules, defaultStageRules, firstMatchSql, labelledStages } from './lifecycle-rules'
import { daysBeforeSql, memberFactsFrom, nowSql } from './facts'

export interface StagePassResult {
  /** Members whose stage or repurchaser label changed. */
  changed: number
  /** Stage changes written to the history. */
  stageChanges: number
  /** Ids of the history rows written (a merge records them so an undo can take them back). */
  stageChangeIds: number[]
}

/** Apply the stage and repurchaser rules to the members in scope, from their current statistics. */
export async function recomputeStages(db: Db, scope: MemberScope, at: Date): Promise<StagePassResult> {
  if (!('memberIds' in scope))
    return db.transaction(async (tx) => {
      await bulkSettings(tx)
      return stagePass(tx, scope, at)
    })
  return stagePass(db, scope, at)
}

async function stagePass(db: Db, scope: MemberScope, at: Date): Promise<StagePassResult> {
  const now = nowSql(at)
  const stage = firstMatchSql(defaultStageRules, at, sql`'stranger'`)
  const labelled = sql.raw(labelledStages.map((st) => `'${st}'`).join(', '))
  const kind = firstMatchSql(defaultRepurchaserRules, at, sql`null`)
  // The members whose stage or label the rules now judge differently.
  const judged = sql`
    select j.id, j.old_stage, j.stage, j.kind from (
      select c.id, c.old_stage, c.old_kind, c.stage,
        case when c.stage in (${labelled}) then c.raw_kind end as kind
      from (
        select m.id, m.stage as old_stage, m.repurchaser_kind as old_kind, ${stage}::text as stage,
          ${kind}::text as raw_kind
        from ${memberFactsFrom(at)}
        where m.merged_into_id is null and ${scopeFilter(scope, 'm.id')}
      ) c
    ) j
    where j.stage is distinct from j.old_stage or j.kind is distinct from j.old_kind`
  // Over many members the judging is a plain query into a temporary table (PostgreSQL may scan in
  // parallel); only the few changed rows are then written.
  const bulk = !('memberIds' in scope)
  if (bulk) {
    // Few rows come out of a million: tell the planner that gathering them from workers costs nothing.
    await db.execute(sql`set local parallel_tuple_cost = 0`)
    await db.execute(sql`drop table if exists stage_judged`)
    await db.execute(sql`create temp table stage_judged on commit drop as ${judged}`)
    // The few changed members are then written through their primary key, not a hash of everybody.
    await db.execute(sql`analyze stage_judged`)
    await db.execute(sql`set local enable_nestloop = on`)
  }
  const rows = await queryRows<{ kind: 'member' | 'history'; id: number }>(
    db,
    sql`
    with judged as (${bulk ? sql`select * from stage_judged` : judged}),
    changed as (
      update members m set stage = j.stage, repurchaser_kind = j.kind
      from judged j
      where m.id = j.id
      returning m.id, j.old_stage, j.stage
    ),
    history as (
      insert into member_stage_changes (member_id, from_stage, to_stage, changed_at)
      select id, old_stage, stage, ${now} from changed where old_stage is distinct from stage
      returning id
    )
    select 'member' as kind, id from changed
    union all
    select 'history' as kind, id from history
  `,
  )
  const stageChangeIds = rows.filter((r) => r.kind === 'history').map((r) => Number(r.id))
  return {
    changed: rows.filter((r) => r.kind === 'member').length,
    stageChanges: stageChangeIds.length,
    stageChangeIds,
  }
}

/**
 * Bring one member's statistics, stage and label up to date (called on each of their events).
 * Serialised per member by a row lock, so two events at once write one history row, not two.
 */
export async function refreshLifecycle(db: Db, memberId: number, at: Date): Promise<StagePassResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from members where id = ${memberId} for update`)
    await refreshMemberStats(tx, { memberIds: [memberId] }, at)
    return recomputeStages(tx, { memberIds: [memberId] }, at)
  })
}

/** The statistics groups the nightly pass keeps current (items and events change only by events). */
export const nightlyStatGroups: StatGroup[] = ['orders', 'referrals']

/**
 * The set-based pass over many members: their statistics (the given groups, all of them by default),
 * then their stage and label, with the history of every stage change.
 */
export async function recomputeLifecycle(
  db: Db,
  scope: MemberScope,
  at: Date,
  groups: StatGroup[] = allStatGroups,
): Promise<StagePassResult & { statsChanged: number }> {
  const statsChanged = await refreshMemberStats(db, scope, at, groups)
  const result = await recomputeStages(db, scope, at)
  return { ...result, statsChanged }
}

/**
 * One statement: every member's windowed figures less the orders and engagement events that left
 * their windows between `since` (the watermark) and `at`. Each window's slice is one range of one
 * index, read from the index alone. A member refreshed after `since` (their `windows_at`, found by its
 * index) already left out what left before that refresh, so their slices start there.
 */
function windowsLeftSince(since: Date, at: Date): SQL {
  // What left a window of `days` days between the two passes.
  const leftWindow = (column: SQL, d: number) =>
    sql`${column} > ${daysBeforeSql(since, d)} and ${column} <= ${daysBeforeSql(at, d)}`
  const days = (d: number) => sql.raw(`${d}::int`)
  const orderSlices = orderWindowsDays.map(
    (d) => sql`select o.member_id, ${days(d)} as days, o.paid_at as t from orders o
      where ${leftWindow(sql`o.paid_at`, d)} and ${purchasedOrder('o')}`,
  )
  const eventSlice = sql`select ev.member_id, ${days(ENGAGEMENT_WINDOW_DAYS)} as days, ev.occurred_at as t
      from member_events ev
      where ${leftWindow(sql`ev.occurred_at`, ENGAGEMENT_WINDOW_DAYS)} and ev.type in (${engagementTypesSql})`
  const left = (d: number) => sql.identifier(`left_${d}`)
  const orderColumn = (d: number) => sql.identifier(`orders_${d}d`)
  return sql`
    with refreshed as (
      select member_id, windows_at from member_stats where windows_at > ${nowSql(since)}
    ),
    leaving as (
      select x.member_id, ${sql.join(
        [...orderWindowsDays, ENGAGEMENT_WINDOW_DAYS].map(
          (d) => sql`(count(*) filter (where x.days = ${days(d)}))::int as ${left(d)}`,
        ),
        sql`, `,
      )}
      from (${sql.join([...orderSlices, eventSlice], sql` union all `)}) x
      left join refreshed r on r.member_id = x.member_id
      where r.windows_at is null or x.t > r.windows_at - make_interval(secs => x.days * 86400)
      group by x.member_id
    )
    update member_stats m set ${sql.join(
      orderWindowsDays.map((d) => sql`${orderColumn(d)} = m.${orderColumn(d)} - x.${left(d)}`),
      sql`, `,
    )}, engagement_30d = greatest(m.engagement_30d - x.${left(ENGAGEMENT_WINDOW_DAYS)}, 0),
      computed_at = ${nowSql(at)}
    from leaving x
    where m.member_id = x.member_id`
}

/**
 * The nightly pass: every member's windowed figures brought up to `at`, then every member's stage and
 * label judged again.
 *
 * A member's figures change through their own events (each refreshes the member in full and moves
 * their `windows_at`) or through time alone, when an order or an engagement event leaves its window.
 * So, from the watermark T (the last pass), each windowed count loses exactly the member's orders and
 * events that left it since the later of T and their `windows_at`: a day's slice of orders and events,
 * subtracted in one statement each, which gives the figures a full rebuild gives (tested) at a
 * fraction of the work. Without a watermark (a new or freshly imported database) everything is rebuilt;
 * the weekly rebuild puts right anything written behind the events' back.
 */
export async function nightlyMemberPass(
  db: Db,
  at: Date,
): Promise<StagePassResult & { statsChanged: number; windowsRebuilt: boolean }> {
  const since = await windowsWatermark(db)
  if (!since || since.getTime() > at.getTime()) {
    const result = await recomputeLifecycle(db, { all: true }, at, allStatGroups)
    return { ...result, windowsRebuilt: true }
  }
  const statsChanged = await db.transaction(async (tx) => {
    await bulkSettings(tx, { hashJoinsOnly: false })
    const changed = rowsAffected(await tx.execute(windowsLeftSince(since, at)))
    await setWindowsWatermark(tx, at)
    return changed
  })
  const result = await recomputeStages(db, { all: true }, at)
  return { ...result, statsChanged, windowsRebuilt: false }
}

export interface FunnelPoint {
  /** The end of the period (ISO), at which the counts are taken. */
  at: string
  /** Members in each stage at that moment. */
  stages: Record<LifecycleStage, number>
  /** Members who entered each stage during the period. */
  entered: Record<LifecycleStage, number>
}

const zeroStages = () =>
  Object.fromEntries(lifecycleStages.map((s) => [s, 0])) as Record<LifecycleStage, number>

/**
 * The funnel over time: for each period ending between `from` and `to`, how many members stood in each
 * stage at its end (from the stage history; a member without history is a stranger since joining) and
 * how many entered each stage during it.
 */
export async function stageFunnel(
  db: Db,
  input: { from: Date; to: Date; period: 'day' | 'week' | 'month' },
): Promise<FunnelPoint[]> {
  const step = sql.raw(`interval '1 ${input.period}'`)
  const rows = await queryRows<{
    at: Date | string
    stage: LifecycleStage
    members: number
    entered: number
  }>(
    db,
    sql`
    with points as (
      select p as at from generate_series(${input.from.toISOString()}::timestamptz,
        ${input.to.toISOString()}::timestamptz, ${step}) p
    ),
    standing as (
      select pt.at, coalesce(last.to_stage, 'stranger') as stage, count(*)::int as members
      from points pt
      join members m on m.created_at <= pt.at and m.merged_into_id is null
      left join lateral (
        select c.to_stage from member_stage_changes c
        where c.member_id = m.id and c.changed_at <= pt.at
        order by c.changed_at desc, c.id desc limit 1
      ) last on true
      group by 1, 2
    ),
    entries as (
      select pt.at, c.to_stage as stage, count(*)::int as entered
      from points pt
      join member_stage_changes c on c.changed_at <= pt.at and c.changed_at > pt.at - ${step}
      group by 1, 2
    )
    select coalesce(s.at, e.at) as at, coalesce(s.stage, e.stage) as stage,
      coalesce(s.members, 0) as members, coalesce(e.entered, 0) as entered
    from standing s full join entries e on e.at = s.at and e.stage = s.stage
    order by 1
  `,
  )
  const byAt = new Map<string, FunnelPoint>()
  for (const p of await queryRows<{ at: Date | string }>(
    db,
    sql`select p as at from generate_series(${input.from.toISOString()}::timestamptz,
      ${input.to.toISOString()}::timestamptz, ${step}) p`,
  )) {
    const key = new Date(p.at).toISOString()
    byAt.set(key, { at: key, stages: zeroStages(), entered: zeroStages() })
  }
  for (const r of rows) {
    const point = byAt.get(new Date(r.at).toISOString())
    if (!point) continue
    point.stages[r.stage] += Number(r.members)
    point.entered[r.stage] += Number(r.entered)
  }
  return [...byAt.values()]
}
