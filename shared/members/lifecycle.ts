// Where each member stands on the journey: recomputed from their statistics by the stage rules, for one
// member on each event and for everybody in a full rebuild — the same set-based statement either way,
// which also writes the stage history the funnel is drawn from. The nightly pass (nightly.ts) judges
// everybody with the same expressions inside its one scan over the members.
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { lifecycleStages, type LifecycleStage } from '../db/schema/members'
import {
  allStatGroups,
  bulkSettings,
  refreshMemberStats,
  scopeFilter,
  type MemberScope,
  type StatGroup,
} from './stats'
import { defaultRepurchaserRules, defaultStageRules, firstMatchSql, labelledStages } from './lifecycle-rules'
import { memberFactsFrom, nowSql } from './facts'

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

/**
 * The stage and repurchaser label the rules give a member now, as SQL over the rows of memberFactsFrom
 * (the rules read no paid level). Only repurchasers and super users carry a label.
 */
export function judgedStageSql(at: Date): { stage: SQL; kind: SQL } {
  const stage = sql`${firstMatchSql(defaultStageRules, at, sql`'stranger'`)}::text`
  const labelled = sql.raw(labelledStages.map((st) => `'${st}'`).join(', '))
  const kind = sql`(case when ${stage} in (${labelled})
    then ${firstMatchSql(defaultRepurchaserRules, at, sql`null`)}::text end)`
  return { stage, kind }
}

async function stagePass(db: Db, scope: MemberScope, at: Date): Promise<StagePassResult> {
  const { stage, kind } = judgedStageSql(at)
  // The members whose stage or label the rules now judge differently.
  const judged = sql`
    select m.id, ${stage} as stage, ${kind} as kind
    from ${memberFactsFrom({ at, paidLadderIds: [] })}
    where m.merged_into_id is null and ${scopeFilter(scope, 'm.id')}
      and (${stage} is distinct from m.stage or ${kind} is distinct from m.repurchaser_kind)`
  if ('memberIds' in scope) return writeStageJudgments(db, judged, at)
  // Over many members the judging is a plain query into a temporary table (PostgreSQL may scan in
  // parallel); only the few changed rows are then written.
  // Few rows come out of a million: tell the planner that gathering them from workers costs nothing.
  await db.execute(sql`set local parallel_tuple_cost = 0`)
  await db.execute(sql`drop table if exists stage_judged`)
  await db.execute(sql`create temp table stage_judged on commit drop as ${judged}`)
  // The few changed members are then written through their primary key, not a hash of everybody.
  await db.execute(sql`analyze stage_judged`)
  await db.execute(sql`set local enable_nestloop = on`)
  return writeStageJudgments(db, sql`select * from stage_judged`, at)
}

/**
 * Write judged stages and labels — rows of (id, stage, kind) for members whose stage or label changed —
 * with a history row for every change of stage (from the stage each member had until this write).
 */
export async function writeStageJudgments(db: Db, judged: SQL, at: Date): Promise<StagePassResult> {
  const rows = await queryRows<{ kind: 'member' | 'history'; id: number }>(
    db,
    sql`
    with judged as (${judged}),
    changed as (
      update members m set stage = j.stage, repurchaser_kind = j.kind
      from judged j join members before on before.id = j.id
      where m.id = j.id
      returning m.id, before.stage as old_stage, j.stage
    ),
    history as (
      insert into member_stage_changes (member_id, from_stage, to_stage, changed_at)
      select id, old_stage, stage, ${nowSql(at)} from changed where old_stage is distinct from stage
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
