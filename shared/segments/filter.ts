// A segment is a filter (zod-validated, stored as JSON) compiled to SQL — never evaluated in
// JavaScript. The compiled condition reads two aliases, `m` (members) and `s` (member_stats, left
// joined); `segmentMemberIds` wraps it as a subquery of member ids that any other query can use:
//
//   const ids = await segmentMemberIds(db, filter, clock.now())
//   db.select().from(members).where(sql`${members.id} in (${ids})`)
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { lifecycleStages, repurchaserKinds } from '../db/schema/members'
import { candidateScoreSql, loadCriteria, type ConfiguredCriterion } from './candidates'
import {
  daysBeforeSql,
  loadPaidLadderIds,
  memberFactsFrom,
  nowSql,
  statAt,
  statCount,
  type FactsScope,
} from '../members/facts'
import { ENGAGEMENT_WINDOW_DAYS, engagementEventTypes, purchasedOrder } from '../members/stats'
import { shanghaiDate } from '../clock'
import { addDays, birthdayKeysOn } from '../calendar'
import { levelHeldAt } from '../db/schema/loyalty'

const days = z.number().int().min(1).max(3650)
const count = z.number().int().min(0).max(1_000_000)
const score = z.number().int().min(1).max(5)
const range = (inner: z.ZodNumber) =>
  z
    .object({ min: inner.optional(), max: inner.optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, '至少填写最小值或最大值')
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, '最小值不能大于最大值')
const window = <F extends string>(field: F) =>
  z
    .object({ field: z.literal(field), withinDays: days.optional(), notWithinDays: days.optional() })
    .refine((w) => w.withinDays !== undefined || w.notWithinDays !== undefined, {
      message: '请填写 withinDays 或 notWithinDays',
      path: ['withinDays'],
    })

export const segmentConditionSchema = z.discriminatedUnion('field', [
  z.object({ field: z.literal('stage'), in: z.array(z.enum(lifecycleStages)).min(1) }),
  z.object({ field: z.literal('repurchaserKind'), in: z.array(z.enum(repurchaserKinds)).min(1) }),
  z.object({ field: z.literal('gender'), in: z.array(z.enum(['unknown', 'male', 'female'])).min(1) }),
  z.object({ field: z.literal('city'), in: z.array(z.string().trim().min(1).max(50)).min(1).max(200) }),
  z.object({ field: z.literal('source'), in: z.array(z.string().trim().min(1).max(32)).min(1).max(50) }),
  /** Tags by id: any of them, all of them, or none of them. */
  z.object({
    field: z.literal('tags'),
    tagIds: z.array(z.number().int().positive()).min(1).max(50),
    match: z.enum(['any', 'all', 'none']).default('any'),
  }),
  /** A current level on a ladder (any level when `levels` is left out), by codes. */
  z.object({
    field: z.literal('tier'),
    ladder: z.string().trim().min(1).max(32),
    levels: z.array(z.string().trim().min(1).max(32)).min(1).max(20).optional(),
  }),
  /** Last purchase within N days / bought before but not within N days (never-buyers match neither). */
  window('lastOrder'),
  /** Last seen (any event) within N days / not within N days (never seen: judged from joining). */
  window('lastSeen'),
  window('joined'),
  /** Number of purchases, all time or within the last N days. */
  z.object({ field: z.literal('orders'), withinDays: days.optional(), count: range(count) }),
  /** Net spend in fen, all time. */
  z.object({ field: z.literal('spend'), fen: range(z.number().int().min(0).max(1e12)) }),
  /** RFM scores from 1 to 5 (members who never bought have none and never match). */
  z.object({
    field: z.literal('rfm'),
    r: range(score).optional(),
    f: range(score).optional(),
    m: range(score).optional(),
  }),
  /** Birthday (solar, or lunar for members who keep a lunar birthday) within the next N days, today included. */
  z.object({ field: z.literal('birthday'), withinDays: z.number().int().min(0).max(366) }),
  z.object({ field: z.literal('complaint'), withinDays: days }),
  z.object({ field: z.literal('feedback'), withinDays: days }),
  /** At least N engagement events (chats, views, orders, shares…) within the last D days. */
  z.object({
    field: z.literal('activity'),
    minEvents: z.number().int().min(1).max(10_000),
    withinDays: days,
  }),
  z.object({ field: z.literal('candidateScore'), min: z.number().int().min(0).max(100) }),
  z.object({ field: z.literal('optedOut'), is: z.boolean() }),
])
export type SegmentCondition = z.infer<typeof segmentConditionSchema>

const groupSchema = z.object({
  field: z.literal('group'),
  /** all: every condition; any: at least one; none: not a single one. */
  match: z.enum(['all', 'any', 'none']).default('all'),
  conditions: z.array(segmentConditionSchema).min(1).max(30),
})

/** A segment filter: conditions (or groups of conditions) combined by `match`. */
export const segmentFilterSchema = z.object({
  match: z.enum(['all', 'any', 'none']).default('all'),
  conditions: z
    .array(z.union([segmentConditionSchema, groupSchema]))
    .max(30)
    .default([]),
})
export type SegmentFilter = z.output<typeof segmentFilterSchema>
export type SegmentFilterInput = z.input<typeof segmentFilterSchema>

/** What a compiled filter needs besides itself: the moment and paid ladders it judges by, and… */
export interface CompileContext extends FactsScope {
  /** Candidate criteria (only read when the filter scores candidates). */
  criteria: ConfiguredCriterion[]
  /**
   * The stage and repurchaser label to select by instead of the stored ones: the nightly pass sizes
   * segments by the stages it is judging in the same scan.
   */
  judged?: { stage: SQL; kind: SQL }
}

/** The member's stage and label as the filter reads them. */
export const stageOf = (ctx: CompileContext) => ctx.judged?.stage ?? sql`m.stage`
const kindOf = (ctx: CompileContext) => ctx.judged?.kind ?? sql`m.repurchaser_kind`

const list = (values: readonly (string | number)[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]`
const textIn = (column: SQL, values: readonly string[]) => sql`${column} = any(${list(values)}::text[])`

function between(expr: SQL, r: { min?: number | undefined; max?: number | undefined }): SQL {
  const parts: SQL[] = []
  if (r.min !== undefined) parts.push(sql`${expr} >= ${r.min}`)
  if (r.max !== undefined) parts.push(sql`${expr} <= ${r.max}`)
  return sql.join(parts, sql` and `)
}

/** RFM scores as SQL (null when the member never bought). */
export const rfmSql = {
  r: (at: Date) => sql`(case when s.last_paid_at is null then null
      when s.last_paid_at > ${daysBeforeSql(at, 30)} then 5 when s.last_paid_at > ${daysBeforeSql(at, 90)} then 4
      when s.last_paid_at > ${daysBeforeSql(at, 180)} then 3 when s.last_paid_at > ${daysBeforeSql(at, 365)} then 2 else 1 end)`,
  f: () => sql`(case when coalesce(s.paid_orders, 0) = 0 then null when s.paid_orders >= 10 then 5
      when s.paid_orders >= 6 then 4 when s.paid_orders >= 3 then 3 when s.paid_orders = 2 then 2 else 1 end)`,
  m: () => sql`(case when coalesce(s.paid_orders, 0) = 0 then null when s.spend_fen >= 500000 then 5
      when s.spend_fen >= 200000 then 4 when s.spend_fen >= 80000 then 3 when s.spend_fen >= 30000 then 2 else 1 end)`,
}

/**
 * Whose birthday falls within the next `withinDays` days in Asia/Shanghai, today included: the
 * month*100+day keys to look for among solar and among lunar birthdays, by the calendar's rules
 * (29 February, lunar day 30 in short months — see birthdayKeysOn).
 */
export function birthdayKeys(at: Date, withinDays: number): { solar: number[]; lunar: number[] } {
  const today = shanghaiDate(at)
  const solar = new Set<number>()
  const lunar = new Set<number>()
  for (let k = 0; k <= withinDays; k++) {
    const keys = birthdayKeysOn(addDays(today, k))
    for (const key of keys.solar) solar.add(key)
    for (const key of keys.lunar) lunar.add(key)
  }
  return { solar: [...solar], lunar: [...lunar] }
}

function windowCondition(
  column: SQL,
  w: { withinDays?: number | undefined; notWithinDays?: number | undefined },
  at: Date,
  whenMissing: 'never' | SQL,
): SQL {
  const now = nowSql(at)
  const value = whenMissing === 'never' ? column : sql`coalesce(${column}, ${whenMissing})`
  const parts: SQL[] = []
  if (w.withinDays !== undefined)
    parts.push(sql`(${value} > ${daysBeforeSql(at, w.withinDays)} and ${value} <= ${now})`)
  if (w.notWithinDays !== undefined) parts.push(sql`${value} <= ${daysBeforeSql(at, w.notWithinDays)}`)
  return sql`(${value} is not null and ${sql.join(parts, sql` and `)})`
}

function compileCondition(c: SegmentCondition, ctx: CompileContext): SQL {
  const now = nowSql(ctx.at)
  switch (c.field) {
    case 'stage':
      return textIn(stageOf(ctx), c.in)
    case 'repurchaserKind':
      return sql`(${kindOf(ctx)} is not null and ${textIn(kindOf(ctx), c.in)})`
    case 'gender':
      return textIn(sql`m.gender`, c.in)
    case 'city':
      return sql`(m.city is not null and ${textIn(sql`m.city`, c.in)})`
    case 'source':
      return textIn(sql`m.source`, c.in)
    case 'tags': {
      const ids = sql`${list(c.tagIds)}::bigint[]`
      if (c.match === 'any')
        return sql`m.id in (select member_id from member_tags where tag_id = any(${ids}))`
      if (c.match === 'none')
        return sql`m.id not in (select member_id from member_tags where tag_id = any(${ids}))`
      return sql`m.id in (select member_id from member_tags where tag_id = any(${ids})
        group by member_id having count(distinct tag_id) = ${new Set(c.tagIds).size})`
    }
    case 'tier':
      return sql`m.id in (select mt.member_id from member_tiers mt
        join tier_ladders tl on tl.id = mt.ladder_id join tier_levels lv on lv.id = mt.level_id
        where tl.code = ${c.ladder} ${c.levels ? sql`and ${textIn(sql`lv.code`, c.levels)}` : sql``}
          and ${levelHeldAt('mt', now)})`
    case 'lastOrder':
      return windowCondition(statAt('s', 'last_paid_at'), c, ctx.at, 'never')
    case 'lastSeen':
      return windowCondition(sql`m.last_seen_at`, c, ctx.at, sql`m.created_at`)
    case 'joined':
      return windowCondition(sql`m.created_at`, c, ctx.at, 'never')
    case 'orders': {
      if (c.withinDays === undefined) return between(statCount('s', 'paid_orders'), c.count)
      const zeroMatches = (c.count.min ?? 0) <= 0
      const recent = sql`from orders o where ${purchasedOrder('o')}
        and o.paid_at > ${daysBeforeSql(ctx.at, c.withinDays)} and o.paid_at <= ${now} group by o.member_id`
      // Members without a recent order count 0: include them by excluding those whose count misses.
      return zeroMatches
        ? sql`m.id not in (select o.member_id ${recent} having not (${between(sql`count(*)`, c.count)}))`
        : sql`m.id in (select o.member_id ${recent} having ${between(sql`count(*)`, c.count)})`
    }
    case 'spend':
      return between(statCount('s', 'spend_fen'), c.fen)
    case 'rfm': {
      const parts: SQL[] = []
      if (c.r) parts.push(between(rfmSql.r(ctx.at), c.r))
      if (c.f) parts.push(between(rfmSql.f(), c.f))
      if (c.m) parts.push(between(rfmSql.m(), c.m))
      if (parts.length === 0) return sql`coalesce(s.paid_orders, 0) > 0`
      return sql`(coalesce(s.paid_orders, 0) > 0 and ${sql.join(parts, sql` and `)})`
    }
    case 'birthday': {
      const keys = birthdayKeys(ctx.at, c.withinDays)
      // Month and day as one number (date_part in double precision: to_char is several times slower).
      const md = sql`(date_part('month', m.birthday) * 100 + date_part('day', m.birthday))::int`
      const among = (k: number[]) => sql`${md} = any(${list(k)}::int[])`
      return sql`(m.birthday is not null and (
        (m.birthday_calendar = 'solar' and ${among(keys.solar)})
        or (m.birthday_calendar = 'lunar' and ${among(keys.lunar)})))`
    }
    case 'complaint':
    case 'feedback':
      return sql`m.id in (select ev.member_id from member_events ev where ev.type = 'feedback'
        ${c.field === 'complaint' ? sql`and ev.payload->>'sentiment' = 'complaint'` : sql``}
        and ev.occurred_at > ${daysBeforeSql(ctx.at, c.withinDays)} and ev.occurred_at <= ${now})`
    case 'activity':
      // The 30-day window is kept per member (as of the last refresh, like the windowed order counts).
      if (c.withinDays === ENGAGEMENT_WINDOW_DAYS)
        return sql`${statCount('s', 'engagement_30d')} >= ${c.minEvents}`
      return sql`m.id in (select ev.member_id from member_events ev
        where ${textIn(sql`ev.type`, engagementEventTypes)}
          and ev.occurred_at > ${daysBeforeSql(ctx.at, c.withinDays)} and ev.occurred_at <= ${now}
        group by ev.member_id having count(*) >= ${c.minEvents})`
    case 'candidateScore':
      return sql`${candidateScoreSql(ctx.criteria, ctx)} >= ${c.min}`
    case 'optedOut':
      return c.is ? sql`m.opted_out_at is not null` : sql`m.opted_out_at is null`
  }
}

function combine(match: 'all' | 'any' | 'none', parts: SQL[]): SQL {
  if (parts.length === 0) return match === 'any' ? sql`false` : sql`true`
  const wrapped = parts.map((p) => sql`(${p})`)
  if (match === 'all') return sql`(${sql.join(wrapped, sql` and `)})`
  const any = sql`(${sql.join(wrapped, sql` or `)})`
  // A condition on a missing value is null, not false: `none` must treat null as "not met".
  return match === 'any' ? any : sql`not coalesce(${any}, false)`
}

/** The filter as a SQL condition over `m` (members) and `s` (member_stats). */
export function compileSegmentCondition(filter: SegmentFilter, ctx: CompileContext): SQL {
  return combine(
    filter.match,
    filter.conditions.map((c) =>
      c.field === 'group'
        ? combine(
            c.match,
            c.conditions.map((inner) => sql`coalesce(${compileCondition(inner, ctx)}, false)`),
          )
        : sql`coalesce(${compileCondition(c, ctx)}, false)`,
    ),
  )
}

/** Does the filter score candidates (so the criteria must be loaded)? */
export const usesCandidateScore = (filter: SegmentFilter) =>
  filter.conditions.some(
    (c) =>
      c.field === 'candidateScore' ||
      (c.field === 'group' && c.conditions.some((i) => i.field === 'candidateScore')),
  )

/** Validate a filter; bad input becomes a 400 naming the field (through the error middleware). */
export const parseSegmentFilter = (input: unknown): SegmentFilter => segmentFilterSchema.parse(input)

/** Everything a filter needs to compile, loaded once. */
export async function compileContext(db: Db, filter: SegmentFilter, at: Date): Promise<CompileContext> {
  if (!usesCandidateScore(filter)) return { at, criteria: [], paidLadderIds: [] }
  return scoringContext(db, at)
}

/** A context for filters that may all score candidates (the ready-made ones, say). */
export async function scoringContext(db: Db, at: Date): Promise<CompileContext> {
  return { at, criteria: await loadCriteria(db), paidLadderIds: await loadPaidLadderIds(db) }
}

/** The members a filter selects, as a subquery of member ids (merged members never included). */
export function segmentMemberIdsSql(filter: SegmentFilter, ctx: CompileContext): SQL {
  return sql`select m.id from ${memberFactsFrom(ctx)}
    where m.merged_into_id is null and ${compileSegmentCondition(filter, ctx)}`
}

/** segmentMemberIdsSql with its context loaded: what campaigns use to target a segment. */
export async function segmentMemberIds(db: Db, filter: SegmentFilterInput, at: Date): Promise<SQL> {
  const parsed = parseSegmentFilter(filter)
  return segmentMemberIdsSql(parsed, await compileContext(db, parsed, at))
}
