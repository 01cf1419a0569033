// Potential super users (seed 003): repurchase frequency with recency, feedback and suggestions,
// sharing and recommending, cross-category / cross-brand purchases, plus paid membership. Each
// criterion is a rule (code, zod args, a pure contribution from 0 to 1 and its SQL twin over the
// aliases `m` / `s`); operators set the weights. The ranking runs in SQL; every member shown carries
// each criterion's points and a sentence an operator can read.
import { asc, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { DomainError } from '../errors'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import { candidateCriteria, repurchaserKinds } from '../db/schema/members'
import { levelHeldAt } from '../db/schema/loyalty'
import { inBulk } from '../members/stats'
import {
  daysSince,
  holdsPaidLevelSql,
  loadPaidLadderIds,
  memberFactsFrom,
  nowSql,
  statAt,
  statCount,
  type FactsScope,
  type MemberFacts,
} from '../members/facts'
import type { LifecycleStage, RepurchaserKind } from '../db/schema/members'

/** What the criteria read: a member's facts and their active paid tier, if any. */
export type CandidateFacts = MemberFacts & { paidTier: string | null }

export interface CandidateCriterion<A extends z.ZodType = z.ZodType> extends Rule<A> {
  defaultArgs: z.output<A>
  defaultWeight: number
  /** Pure: how fully the member meets the criterion, from 0 to 1. */
  contribution(f: CandidateFacts, args: z.output<A>, now: Date): number
  /** The same in SQL (double precision), over the rows of memberFactsFrom. */
  toSql(args: z.output<A>, scope: FactsScope): SQL
  /** What the member did, in Chinese, or null when they did nothing of the kind. */
  explain(f: CandidateFacts, args: z.output<A>, now: Date): string | null
}

const candidateCriterion = <A extends z.ZodType>(rule: CandidateCriterion<A>) => defineRule(rule)
const clamp01 = (x: number) => Math.min(Math.max(x, 0), 1)
const windowColumn = { 90: 'orders_90d', 180: 'orders_180d', 365: 'orders_365d' } as const
const windowField = { 90: 'orders90d', 180: 'orders180d', 365: 'orders365d' } as const
// date_part answers in double precision; extract(epoch …) in numeric, several times slower per member.
const daysSinceSql = (column: SQL, now: SQL) => sql`floor(date_part('epoch', ${now} - ${column}) / 86400)`

const frequencyArgs = z
  .object({
    windowDays: z.union([z.literal(90), z.literal(180), z.literal(365)]),
    targetOrders: z.number().int().min(1).max(100),
    /** The last order this recent (days) keeps full credit… */
    fullCreditDays: z.number().int().min(0).max(3650),
    /** …and one this old earns none: 5 orders with the last a year ago is not 5 with the last last month. */
    noCreditDays: z.number().int().min(1).max(3650),
  })
  .refine((a) => a.noCreditDays > a.fullCreditDays, {
    message: '无效天数必须大于满分天数',
    path: ['noCreditDays'],
  })

export const repurchaseFrequency = candidateCriterion({
  code: 'repurchase_frequency',
  title: '复购频次与新近度',
  args: frequencyArgs,
  defaultArgs: { windowDays: 90, targetOrders: 5, fullCreditDays: 30, noCreditDays: 365 },
  defaultWeight: 35,
  contribution(f, a, now) {
    const days = daysSince(f.lastPaidAt, now)
    if (days === null) return 0
    const recency = clamp01((a.noCreditDays - days) / (a.noCreditDays - a.fullCreditDays))
    return Math.min(f[windowField[a.windowDays]] / a.targetOrders, 1) * recency
  },
  toSql(a, scope) {
    const days = daysSinceSql(statAt('s', 'last_paid_at'), nowSql(scope.at))
    return sql`coalesce(least(${statCount('s', windowColumn[a.windowDays])}::float8 / ${a.targetOrders}::float8, 1::float8)
      * least(greatest((${a.noCreditDays}::float8 - ${days}) / (${a.noCreditDays - a.fullCreditDays})::float8, 0::float8), 1::float8), 0::float8)`
  },
  explain(f, a, now) {
    const days = daysSince(f.lastPaidAt, now)
    if (days === null) return null
    return `近${a.windowDays}天下单 ${f[windowField[a.windowDays]]} 次，最近一次 ${days} 天前`
  },
})

const targetArgs = z.object({ target: z.number().int().min(1).max(100) })

export const givesFeedback = candidateCriterion({
  code: 'gives_feedback',
  title: '反馈与建议',
  args: targetArgs,
  defaultArgs: { target: 2 },
  defaultWeight: 15,
  contribution: (f, a) => Math.min(f.feedbacks / a.target, 1),
  toSql: (a) => sql`least(${statCount('s', 'feedbacks')}::float8 / ${a.target}::float8, 1::float8)`,
  explain: (f) =>
    f.feedbacks > 0
      ? `提过 ${f.feedbacks} 次反馈或建议${f.complaints > 0 ? `（其中投诉 ${f.complaints} 次，仍在乎品牌）` : ''}`
      : null,
})

export const sharesAndRecommends = candidateCriterion({
  code: 'shares_and_recommends',
  title: '分享与推荐',
  args: targetArgs,
  defaultArgs: { target: 3 },
  defaultWeight: 25,
  contribution: (f, a) => Math.min((f.shares + f.referrals) / a.target, 1),
  toSql: (a) =>
    sql`least((${statCount('s', 'shares')} + ${statCount('s', 'referrals')})::float8 / ${a.target}::float8, 1::float8)`,
  explain: (f) =>
    f.shares + f.referrals > 0
      ? `分享 ${f.shares} 次${f.referrals > 0 ? `，推荐来 ${f.referrals} 位新会员` : ''}`
      : null,
})

const crossArgs = z.object({
  targetCategories: z.number().int().min(2).max(50),
  targetBrands: z.number().int().min(2).max(50),
})

export const crossCategory = candidateCriterion({
  code: 'cross_category',
  title: '跨品类 / 跨品牌购买',
  args: crossArgs,
  defaultArgs: { targetCategories: 3, targetBrands: 2 },
  defaultWeight: 15,
  contribution: (f, a) =>
    Math.max(
      clamp01((f.categories - 1) / (a.targetCategories - 1)),
      clamp01((f.brands - 1) / (a.targetBrands - 1)),
    ),
  toSql: (a) => sql`greatest(
      least(greatest((${statCount('s', 'categories')} - 1)::float8 / ${a.targetCategories - 1}::float8, 0::float8), 1::float8),
      least(greatest((${statCount('s', 'brands')} - 1)::float8 / ${a.targetBrands - 1}::float8, 0::float8), 1::float8))`,
  explain: (f) =>
    f.categories > 1 || f.brands > 1
      ? `买过 ${f.categories} 个品类${f.brands > 1 ? `、${f.brands} 个品牌` : ''}`
      : null,
})

const noArgs = z.object({})

export const paidMembership = candidateCriterion({
  code: 'paid_membership',
  title: '付费会员',
  args: noArgs,
  defaultArgs: {},
  defaultWeight: 10,
  contribution: (f) => (f.paidTier ? 1 : 0),
  toSql: (_a, scope) => sql`(case when ${holdsPaidLevelSql(scope)} then 1::float8 else 0::float8 end)`,
  explain: (f) => (f.paidTier ? `付费会员（${f.paidTier}）` : null),
})

/** Every criterion, in the order operators see them. */
export const candidateRules = new RuleRegistry<CandidateCriterion>('超级用户候选标准', [
  repurchaseFrequency,
  givesFeedback,
  sharesAndRecommends,
  crossCategory,
  paidMembership,
])
export const candidateCatalogue = candidateRules.rules

/** The score from which a member counts as a potential super user (the "high potential" segment). */
export const CANDIDATE_THRESHOLD = 50

export interface ConfiguredCriterion {
  criterion: CandidateCriterion
  weight: number
  args: Record<string, unknown>
}

export const criterionSettingSchema = z.object({
  weight: z.number().int().min(0).max(100),
  args: z.record(z.string(), z.unknown()).default({}),
})

export const defaultCriteria = (): ConfiguredCriterion[] =>
  candidateCatalogue.map((c) => ({
    criterion: c,
    weight: c.defaultWeight,
    args: c.defaultArgs as Record<string, unknown>,
  }))

/** The criteria with the operators' weights and arguments where they set them. */
export async function loadCriteria(db: Db): Promise<ConfiguredCriterion[]> {
  const saved = new Map(
    (await db.select().from(candidateCriteria).orderBy(asc(candidateCriteria.code))).map((r) => [r.code, r]),
  )
  return candidateCatalogue.map((c) => {
    const s = saved.get(c.code)
    const args = s ? c.args.safeParse({ ...(c.defaultArgs as object), ...(s.args as object) }) : null
    return {
      criterion: c,
      weight: s?.weight ?? c.defaultWeight,
      args: (args?.success ? args.data : c.defaultArgs) as Record<string, unknown>,
    }
  })
}

/** Set a criterion's weight and arguments; arguments are checked against the criterion's schema. */
export async function saveCriterion(
  db: Db,
  code: string,
  input: z.input<typeof criterionSettingSchema>,
  operatorId: number | null,
  at: Date,
): Promise<ConfiguredCriterion> {
  const criterion = candidateRules.find(code)
  if (!criterion) throw new DomainError('criterion_not_found', '候选标准不存在', 404)
  const setting = criterionSettingSchema.parse(input)
  const args = { ...(criterion.defaultArgs as object), ...setting.args }
  const parsed = criterion.args.safeParse(args)
  if (!parsed.success)
    throw new DomainError(
      'invalid_criterion_args',
      '候选标准参数不正确',
      400,
      candidateRules.argsProblems(criterion, args, ['args']),
    )
  await db
    .insert(candidateCriteria)
    .values({ code, weight: setting.weight, args: parsed.data as object, operatorId, updatedAt: at })
    .onConflictDoUpdate({
      target: candidateCriteria.code,
      set: { weight: setting.weight, args: parsed.data as object, operatorId, updatedAt: at },
    })
  return { criterion, weight: setting.weight, args: parsed.data as Record<string, unknown> }
}

/** Pure: each criterion's points and the total score (0–100 with the default weights). */
export function scoreCandidate(
  facts: CandidateFacts,
  criteria: ConfiguredCriterion[],
  now: Date,
): {
  score: number
  contributions: { code: string; name: string; weight: number; points: number; detail: string | null }[]
} {
  let total = 0
  const contributions = criteria.map(({ criterion, weight, args }) => {
    const raw = weight * criterion.contribution(facts, args, now)
    total += raw
    return {
      code: criterion.code,
      name: criterion.title,
      weight,
      points: Math.round(raw * 10) / 10,
      detail: criterion.explain(facts, args, now),
    }
  })
  return { score: Math.floor(total + 0.5), contributions }
}

/** The explanation an operator reads: what the member did, criterion by criterion. */
export function explainCandidate(contributions: { detail: string | null }[]): string {
  const parts = contributions.map((c) => c.detail).filter((d): d is string => d !== null)
  return parts.length ? parts.join('；') : '暂无超级用户特征'
}

/** The score as a SQL integer expression over memberFactsFrom (the same arithmetic as scoreCandidate). */
export function candidateScoreSql(criteria: ConfiguredCriterion[], scope: FactsScope): SQL {
  const terms = criteria
    .filter((c) => c.weight > 0)
    .map((c) => sql`${c.weight}::float8 * ${c.criterion.toSql(c.args, scope)}`)
  if (terms.length === 0) return sql`0`
  // The sum is taken in the same order as in JavaScript, so both round alike.
  return sql`floor((${sql.join(terms, sql` + `)}) + 0.5)::int`
}

export const candidateSchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  stage: z.string(),
  /** The repurchaser label (自燃型/可燃型/不可燃型), which says what to offer them next. */
  repurchaserKind: z.enum(repurchaserKinds).nullable(),
  score: z.number().int(),
  contributions: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      weight: z.number(),
      points: z.number(),
      detail: z.string().nullable(),
    }),
  ),
  explanation: z.string(),
})
export type Candidate = z.infer<typeof candidateSchema>

type FactRow = {
  id: number
  member_no: string
  name: string | null
  nickname: string | null
  stage: LifecycleStage
  repurchaser_kind: RepurchaserKind | null
  score: number
  last_seen_at: Date | string | null
  paid_tier: string | null
} & Record<string, unknown>

const toDate = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string))

/** A row of `member_stats` (snake_case, as SQL returns it) as facts. */
export function factsFromRow(r: Record<string, unknown>): CandidateFacts {
  const n = (k: string) => Number(r[k] ?? 0)
  return {
    paidOrders: n('paid_orders'),
    orders90d: n('orders_90d'),
    orders180d: n('orders_180d'),
    orders365d: n('orders_365d'),
    spendFen: n('spend_fen'),
    firstPaidAt: toDate(r.first_paid_at),
    lastPaidAt: toDate(r.last_paid_at),
    categories: n('categories'),
    brands: n('brands'),
    shares: n('shares'),
    referrals: n('referrals'),
    feedbacks: n('feedbacks'),
    complaints: n('complaints'),
    lastFeedbackAt: toDate(r.last_feedback_at),
    lastComplaintAt: toDate(r.last_complaint_at),
    interestEvents: n('interest_events'),
    inboundChats: n('inbound_chats'),
    engagement30d: n('engagement_30d'),
    lastSeenAt: toDate(r.last_seen_at),
    paidTier: (r.paid_tier as string | null) ?? null,
  }
}

/** The paid-tier level name of a member (a correlated subquery for the page shown). */
const paidTierName = (now: SQL) => sql`(select lv.name from member_tiers mt
  join tier_ladders tl on tl.id = mt.ladder_id join tier_levels lv on lv.id = mt.level_id
  where mt.member_id = m.id and tl.basis = 'paid' and ${levelHeldAt('mt', now)}
  order by lv.rank desc limit 1)`

/**
 * The ranked candidate list: members who are not yet super users (unless asked), by score, then the
 * most recent buyer first. Every member carries each criterion's points and the explanation.
 */
export async function listCandidates(
  db: Db,
  input: { at: Date; limit?: number; offset?: number; minScore?: number; includeSuperUsers?: boolean },
): Promise<{ total: number; items: Candidate[] }> {
  const criteria = await loadCriteria(db)
  const now = nowSql(input.at)
  const scope: FactsScope = { at: input.at, paidLadderIds: await loadPaidLadderIds(db) }
  const score = candidateScoreSql(criteria, scope)
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 500)
  const offset = Math.max(input.offset ?? 0, 0)
  const where = sql`m.merged_into_id is null and ${score} >= ${input.minScore ?? 1}
    ${input.includeSuperUsers ? sql`` : sql`and m.stage <> 'super_user'`}`
  const rows = await inBulk(
    db,
    (tx) =>
      queryRows<FactRow & { total: number }>(
        tx,
        sql`
    with ranked as (
      select m.id, ${score} as score, s.last_paid_at, count(*) over () as total
      from ${memberFactsFrom(scope)}
      where ${where}
      order by score desc, s.last_paid_at desc nulls last, m.id
      limit ${limit} offset ${offset}
    )
    select r.score, r.total, m.id, m.member_no, m.name, m.nickname, m.stage, m.repurchaser_kind, m.last_seen_at,
      ${paidTierName(now)} as paid_tier, s.*
    from ranked r join members m on m.id = r.id left join member_stats s on s.member_id = m.id
    order by r.score desc, r.last_paid_at desc nulls last, m.id`,
      ),
    { hashJoinsOnly: false },
  )
  const total = rows[0] ? Number(rows[0].total) : 0
  return {
    total,
    items: rows.map((r) => {
      const { contributions } = scoreCandidate(factsFromRow(r), criteria, input.at)
      return {
        memberId: Number(r.id),
        memberNo: r.member_no,
        name: r.name,
        nickname: r.nickname,
        stage: r.stage,
        repurchaserKind: r.repurchaser_kind,
        score: Number(r.score),
        contributions,
        explanation: explainCandidate(contributions),
      }
    }),
  }
}
