// Segments: count and page through the members a filter selects (all in SQL), and the ready-made
// segments operators ask for every day (seed 003). Exports: export.ts; saved segments: saved.ts.
import { asc, eq, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { levelHeldAt, tierLadders, tierLevels } from '../db/schema/loyalty'
import {
  compileContext,
  compileSegmentCondition,
  scoringContext,
  stageOf,
  parseSegmentFilter,
  type CompileContext,
  type SegmentFilter,
  type SegmentFilterInput,
} from './filter'
import { CANDIDATE_THRESHOLD, candidateScoreSql } from './candidates'
import { memberFactsFrom, nowSql } from '../members/facts'
import { inBulk } from '../members/stats'

/** How many members a filter selects. */
export async function countSegment(db: Db, filter: SegmentFilterInput, at: Date): Promise<number> {
  const parsed = parseSegmentFilter(filter)
  const ctx = await compileContext(db, parsed, at)
  const [row] = await inBulk(db, (tx) =>
    queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from ${memberFactsFrom(ctx)}
          where m.merged_into_id is null and ${compileSegmentCondition(parsed, ctx)}`,
    ),
  )
  return Number(row!.n)
}

/** How many members each of several filters selects, in one pass over the members. */
export async function countSegments(db: Db, filters: SegmentFilterInput[], at: Date): Promise<number[]> {
  return (await countSegmentsAndScores(db, filters, at)).counts
}

/** Segment sizes and the candidate score distribution, from one pass over the members. */
export interface SegmentSizes {
  counts: number[]
  /** Members scored (every member not merged away). */
  scored: number
  /** Members scoring at least CANDIDATE_THRESHOLD who are not super users yet. */
  candidates: number
  topScore: number
}

/**
 * How to size several segments in one scan over memberFactsFrom. The scan is grouped by `score`:
 * PostgreSQL computes a grouping expression once per member and every filter that asks for the score
 * reads that value, where a plain select would repeat the score's arithmetic in each filter that
 * mentions it. `columns` are the per-group counts; `totals` adds the groups (at most one per score,
 * times whatever else the caller groups by) up into one row that `read` turns into SegmentSizes.
 */
export function segmentSizing(filters: SegmentFilter[], ctx: CompileContext) {
  const c = (i: number) => sql.identifier(`c${i}`)
  const score = candidateScoreSql(ctx.criteria, ctx)
  const columns = sql.join(
    [
      ...filters.map((f, i) => sql`count(*) filter (where ${compileSegmentCondition(f, ctx)}) as ${c(i)}`),
      sql`count(*) as n`,
      sql`count(*) filter (where ${score} >= ${CANDIDATE_THRESHOLD} and ${stageOf(ctx)} <> 'super_user') as candidates`,
    ],
    sql`, `,
  )
  const totals = (grouped: SQL) =>
    sql`select ${sql.join(
      [
        ...filters.map((_, i) => sql`coalesce(sum(g.${c(i)}), 0)::int as ${c(i)}`),
        sql`coalesce(sum(g.n), 0)::int as scored`,
        sql`coalesce(sum(g.candidates), 0)::int as candidates`,
        sql`coalesce(max(g.score), 0)::int as top_score`,
      ],
      sql`, `,
    )} from ${grouped} g`
  const read = (row: Record<string, number>): SegmentSizes => ({
    counts: filters.map((_, i) => Number(row[`c${i}`])),
    scored: Number(row.scored),
    candidates: Number(row.candidates),
    topScore: Number(row.top_score),
  })
  return { score, columns, totals, read }
}

/** The sizes of several segments and the candidate score distribution, in one pass over the members. */
export async function countSegmentsAndScores(
  db: Db,
  filters: SegmentFilterInput[],
  at: Date,
): Promise<SegmentSizes> {
  const ctx = await scoringContext(db, at)
  const sizing = segmentSizing(filters.map(parseSegmentFilter), ctx)
  const [row] = await inBulk(db, (tx) =>
    queryRows<Record<string, number>>(
      tx,
      sizing.totals(sql`(
        select ${sizing.score} as score, ${sizing.columns}
        from ${memberFactsFrom(ctx)}
        where m.merged_into_id is null
        group by 1
      )`),
    ),
  )
  return sizing.read(row!)
}

export const segmentMemberSchema = z.object({
  id: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  gender: z.string(),
  city: z.string().nullable(),
  stage: z.string(),
  repurchaserKind: z.string().nullable(),
  paidOrders: z.number().int(),
  spendFen: z.number().int(),
  lastPaidAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
})
export type SegmentMember = z.infer<typeof segmentMemberSchema>

type MemberRow = {
  id: number
  member_no: string
  name: string | null
  nickname: string | null
  gender: string
  city: string | null
  stage: string
  repurchaser_kind: string | null
  paid_orders: number | null
  spend_fen: number | null
  last_paid_at: Date | string | null
  last_seen_at: Date | string | null
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString())
/** A member row of a segment page as operators see it. */
export const presentMember = (r: MemberRow): SegmentMember => ({
  id: Number(r.id),
  memberNo: r.member_no,
  name: r.name,
  nickname: r.nickname,
  gender: r.gender,
  city: r.city,
  stage: r.stage,
  repurchaserKind: r.repurchaser_kind,
  paidOrders: Number(r.paid_orders ?? 0),
  spendFen: Number(r.spend_fen ?? 0),
  lastPaidAt: iso(r.last_paid_at),
  lastSeenAt: iso(r.last_seen_at),
})

/** One page of a segment's member rows by member id, from `afterId`. */
export async function pageOf(
  db: Db,
  filter: SegmentFilter,
  ctx: CompileContext,
  afterId: number,
  limit: number,
) {
  return inBulk(
    db,
    (tx) =>
      queryRows<MemberRow>(
        tx,
        sql`select m.id, m.member_no, m.name, m.nickname, m.gender, m.city, m.stage, m.repurchaser_kind,
          s.paid_orders, s.spend_fen, s.last_paid_at, m.last_seen_at
        from ${memberFactsFrom(ctx)}
        where m.merged_into_id is null and m.id > ${afterId} and ${compileSegmentCondition(filter, ctx)}
        order by m.id limit ${limit}`,
      ),
    { hashJoinsOnly: false },
  )
}

/**
 * One page of a segment's members by member id (a keyset: pass the last id back as `afterId`), with
 * the total when asked for.
 */
export async function listSegment(
  db: Db,
  filter: SegmentFilterInput,
  input: { at: Date; limit?: number; afterId?: number; withTotal?: boolean },
): Promise<{ items: SegmentMember[]; nextAfterId: number | null; total: number | null }> {
  const parsed = parseSegmentFilter(filter)
  const ctx = await compileContext(db, parsed, input.at)
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 500)
  const rows = await pageOf(db, parsed, ctx, input.afterId ?? 0, limit + 1)
  const items = rows.slice(0, limit).map(presentMember)
  return {
    items,
    nextAfterId: rows.length > limit ? items[items.length - 1]!.id : null,
    total: input.withTotal ? await countSegment(db, parsed, input.at) : null,
  }
}

// ---- ready-made segments ----

export interface ReadyMadeSegment {
  code: string
  name: string
  description: string
  filter: SegmentFilter
}

const ready = (
  code: string,
  name: string,
  description: string,
  filter: SegmentFilterInput,
): ReadyMadeSegment => ({
  code,
  name,
  description,
  filter: parseSegmentFilter(filter),
})

/** The segments an operator asks for every day (seed 003), as named filters. */
export const readyMadeSegments: ReadyMadeSegment[] = [
  ready('very_active', '非常活跃', '近 30 天互动（聊天、浏览、下单、分享等）不少于 8 次', {
    conditions: [{ field: 'activity', minEvents: 8, withinDays: 30 }],
  }),
  ready('high_potential', '高潜力', `超级用户候选分不低于 ${CANDIDATE_THRESHOLD}，且还不是超级用户`, {
    conditions: [
      { field: 'candidateScore', min: CANDIDATE_THRESHOLD },
      { field: 'stage', in: ['stranger', 'intention', 'customer', 'repurchaser'] },
    ],
  }),
  ready('bought_last_month', '近一个月购买', '最近 30 天内有过购买', {
    conditions: [{ field: 'lastOrder', withinDays: 30 }],
  }),
  ready('unseen_six_months', '半年未见', '180 天以上没有任何互动', {
    conditions: [{ field: 'lastSeen', notWithinDays: 180 }],
  }),
  ready('birthday_soon', '生日将至', '未来 7 天内过生日（含农历生日）', {
    conditions: [{ field: 'birthday', withinDays: 7 }],
  }),
  ready('complaining_now', '正在投诉', '最近 7 天内有投诉', {
    conditions: [{ field: 'complaint', withinDays: 7 }],
  }),
]

/** The ready-made segments plus one per tier level of every ladder ("by tier"). */
export async function readyMadeWithTiers(db: Db): Promise<ReadyMadeSegment[]> {
  const levels = await db
    .select({
      ladder: tierLadders.code,
      ladderName: tierLadders.name,
      level: tierLevels.code,
      levelName: tierLevels.name,
    })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .orderBy(asc(tierLadders.id), asc(tierLevels.rank))
  return [
    ...readyMadeSegments,
    ...levels.map((l) =>
      ready(`tier:${l.ladder}:${l.level}`, `${l.ladderName} · ${l.levelName}`, `当前是${l.levelName}的会员`, {
        conditions: [{ field: 'tier', ladder: l.ladder, levels: [l.level] }],
      }),
    ),
  ]
}

const byTier = (s: ReadyMadeSegment) => s.code.startsWith('tier:')

/** The ready-made segments, and those of them sized from the members' figures (not by tier). */
export async function readyMadePlan(db: Db) {
  const all = await readyMadeWithTiers(db)
  return { all, onFigures: all.filter((s) => !byTier(s)).map((s) => s.filter) }
}

/** Members holding each level now (one pass over the current levels), by ready-made segment code. */
async function tierSizes(db: Db, at: Date): Promise<Map<string, number>> {
  const rows = await inBulk(db, (tx) =>
    queryRows<{ key: string; n: number }>(
      tx,
      // (member, ladder) is unique: a member is counted once per level without a distinct.
      sql`select 'tier:' || tl.code || ':' || lv.code as key, c.n
          from (
            select mt.ladder_id, mt.level_id, count(*)::int as n from member_tiers mt
            where ${levelHeldAt('mt', nowSql(at))} and mt.member_id not in (
              select id from members where merged_into_id is not null)
            group by 1, 2
          ) c join tier_ladders tl on tl.id = c.ladder_id join tier_levels lv on lv.id = c.level_id`,
    ),
  )
  return new Map(rows.map((row) => [row.key, Number(row.n)]))
}

/** Every ready-made segment with its size, from the figures' sizes and the current levels. */
export async function readyMadeSized(
  db: Db,
  plan: Awaited<ReturnType<typeof readyMadePlan>>,
  sizes: SegmentSizes,
  at: Date,
) {
  const levels = await tierSizes(db, at)
  let plain = 0
  return {
    segments: plan.all.map((s) => ({
      code: s.code,
      name: s.name,
      description: s.description,
      members: byTier(s) ? (levels.get(s.code) ?? 0) : sizes.counts[plain++]!,
    })),
    candidates: { scored: sizes.scored, scoring50Plus: sizes.candidates, topScore: sizes.topScore },
  }
}
export type ReadyMadeOverview = Awaited<ReturnType<typeof readyMadeSized>>

/**
 * Every ready-made segment with its size, and the candidate score distribution: one pass over the
 * members for the segments on their figures, one over the current levels for the by-tier segments.
 */
export async function readyMadeOverview(db: Db, at: Date): Promise<ReadyMadeOverview> {
  const plan = await readyMadePlan(db)
  return readyMadeSized(db, plan, await countSegmentsAndScores(db, plan.onFigures, at), at)
}

/** Every ready-made segment with its size. */
export async function countReadyMade(db: Db, at: Date) {
  return (await readyMadeOverview(db, at)).segments
}
