// The nightly member pass: every member's windowed figures moved on by the day's slice of orders and
// events leaving their windows, then — in one scan over all members — every member's stage and label
// judged again, their candidate score computed and every ready-made segment sized, by the stages being
// written. The weekly job rebuilds everything from the source tables instead (recomputeLifecycle).
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, rowsAffected, type Db } from '../db/client'
import {
  bulkSettings,
  ENGAGEMENT_WINDOW_DAYS,
  engagementTypesSql,
  orderWindowsDays,
  purchasedOrder,
  setWindowsWatermark,
  windowsWatermark,
  allStatGroups,
} from '../members/stats'
import { daysBeforeSql, memberFactsFrom, nowSql } from '../members/facts'
import {
  judgedStageSql,
  recomputeLifecycle,
  writeStageJudgments,
  type StagePassResult,
} from '../members/lifecycle'
import { scoringContext } from './filter'
import {
  readyMadeOverview,
  readyMadePlan,
  readyMadeSized,
  segmentSizing,
  type ReadyMadeOverview,
} from './segments'

export type NightlyPassResult = StagePassResult & {
  statsChanged: number
  /** No watermark (a new or freshly imported database): everything was rebuilt from the sources. */
  windowsRebuilt: boolean
  /** Every ready-made segment's size and the candidate score distribution, after the pass. */
  overview: ReadyMadeOverview
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
      -- in key order, so each page of member_stats is visited once, its rows updated together
      order by x.member_id
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
 * The nightly pass at `at`.
 *
 * A member's figures change through their own events (each refreshes the member in full and moves
 * their `windows_at`) or through time alone, when an order or an engagement event leaves its window.
 * So, from the watermark T (the last pass), each windowed count loses exactly the member's orders and
 * events that left it since the later of T and their `windows_at`: a day's slice of orders and events,
 * subtracted in one statement, which gives the figures a full rebuild gives (tested) at a fraction of
 * the work. Without a watermark everything is rebuilt; the weekly rebuild puts right anything written
 * behind the events' back.
 */
export async function nightlyMemberPass(db: Db, at: Date): Promise<NightlyPassResult> {
  const since = await windowsWatermark(db)
  if (!since || since.getTime() > at.getTime()) {
    const result = await recomputeLifecycle(db, { all: true }, at, allStatGroups)
    return { ...result, windowsRebuilt: true, overview: await readyMadeOverview(db, at) }
  }
  const statsChanged = await db.transaction(async (tx) => {
    await bulkSettings(tx, { hashJoinsOnly: false })
    // A crash may lose this transaction whole (never part of it): the watermark goes with the figures
    // and the job, which records its success afterwards with a flush, runs again.
    await tx.execute(sql`set local synchronous_commit = off`)
    const changed = rowsAffected(await tx.execute(windowsLeftSince(since, at)))
    await setWindowsWatermark(tx, at)
    return changed
  })
  const plan = await readyMadePlan(db)
  const scoring = await scoringContext(db, at)
  const { judged, sizes } = await db.transaction(async (tx) => {
    await bulkSettings(tx)
    await tx.execute(sql`set local synchronous_commit = off`)
    const stages = judgedStageSql(at)
    const sizing = segmentSizing(plan.onFigures, { ...scoring, judged: stages })
    const changed = sql`(${stages.stage} is distinct from m.stage or ${stages.kind} is distinct from m.repurchaser_kind)`
    // One parallel scan, grouped by what it judged: members whose stage or label changes each make a
    // group of their own (keyed by their id), everybody else falls into a few hundred groups by stage,
    // label and score. Segment conditions on the stage read the judged one (a grouping column).
    await tx.execute(sql`drop table if exists nightly_judged`)
    await tx.execute(sql`create temp table nightly_judged on commit drop as
      select case when ${changed} then m.id end as id,
        ${stages.stage} as stage, ${stages.kind} as kind, ${sizing.score} as score, ${sizing.columns}
      from ${memberFactsFrom(scoring)}
      where m.merged_into_id is null
      group by 1, 2, 3, 4`)
    const [row] = await queryRows<Record<string, number>>(tx, sizing.totals(sql`nightly_judged`))
    // The changed members are few: written through their primary key, not a hash of everybody.
    await tx.execute(sql`set local enable_nestloop = on`)
    const judged = await writeStageJudgments(
      tx,
      sql`select id, stage, kind from nightly_judged where id is not null`,
      at,
    )
    return { judged, sizes: sizing.read(row!) }
  })
  return {
    ...judged,
    statsChanged,
    windowsRebuilt: false,
    overview: await readyMadeSized(db, plan, sizes, at),
  }
}
