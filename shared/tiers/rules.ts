// Tier rules as data (shared/rules.ts): each rule is a code, zod-typed args and pure functions over one
// member's facts.
// A ladder's rule set is a list of `{code, args}`; `decideTier` combines them into one decision, the
// same function for the nightly pass, the check after a paid order, the dry run and scheduled notices,
// so a dry run predicts exactly what applying does.
import { z } from 'zod'
import { SHANGHAI_OFFSET_MS } from '../clock'
import { DomainError, type FieldProblem } from '../errors'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import type { TierChangeKind } from '../db/schema/loyalty'
import { spendWindowNames } from './labels'

export const spendWindows = ['rolling_year', 'calendar_year', 'period'] as const
export type SpendWindow = (typeof spendWindows)[number]
/** Windows a rule that moves a member up may use: a new period starts at the move, so not `period`. */
const qualifyWindow = z.enum(['rolling_year', 'calendar_year'])

export interface LevelRef {
  id: number
  code: string
  name: string
  rank: number
  threshold: number
  annualFeeFen: number
}

export interface Holding {
  levelId: number
  startsAt: Date
  endsAt: Date | null
}

export interface MemberFacts {
  memberId: number
  /** Net spend (paid − refunded, goods orders) in fen, per window. */
  spendFen: Record<SpendWindow, number>
  tags: string[]
  categories: string[]
}

export interface RuleContext {
  at: Date
  /** Sorted by rank, lowest first. */
  levels: LevelRef[]
  periodMonths: number
  holding: Holding | null
  facts: MemberFacts
}

export interface TierRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  /** Level codes the args name (checked against the ladder when a rule set is saved). */
  levelCodes?(args: z.output<A>): string[]
  /** The rank the member qualifies for while holding `rank` (0: none), and why. */
  qualifies?(ctx: RuleContext, args: z.output<A>, rank: number): { rank: number; reason: string } | null
  /** At the end of a period: does this rule keep the member's level for another period? */
  retains?(ctx: RuleContext, args: z.output<A>, rank: number): string | null
  /** At the end of a period without retention: the rank to move to (0: lapse). */
  downgradeTo?(ctx: RuleContext, args: z.output<A>, rank: number): number
}

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}`
const windowName: Record<SpendWindow, string> = spendWindowNames
const rankOf = (ctx: RuleContext, code: string) => ctx.levels.find((l) => l.code === code)?.rank ?? 0
const levelAt = (ctx: RuleContext, rank: number) => ctx.levels.find((l) => l.rank === rank)
const minSpend = z.number().int().min(0).max(10_000_000_00)

/** Highest level whose spend threshold the member has reached (0 when none, or nothing spent). */
function spendLevel(ctx: RuleContext, spend: number, below = Infinity): number {
  if (spend <= 0) return 0
  let best = 0
  for (const l of ctx.levels) if (l.threshold <= spend && l.rank < below) best = Math.max(best, l.rank)
  return best
}

const rule = <A extends z.ZodType>(def: TierRule<A>) => defineRule(def)

export const tierRuleDefs = [
  rule({
    code: 'level_by_spend',
    title: '按消费金额达到等级门槛即升级（等级的 threshold 为门槛）',
    args: z.object({ window: qualifyWindow }),
    qualifies(ctx, args) {
      const spend = ctx.facts.spendFen[args.window]
      const rank = spendLevel(ctx, spend)
      return rank ? { rank, reason: `${windowName[args.window]}消费 ${yuan(spend)} 达到门槛` } : null
    },
    retains(ctx, args, rank) {
      const spend = ctx.facts.spendFen[args.window]
      return spendLevel(ctx, spend) >= rank
        ? `${windowName[args.window]}消费 ${yuan(spend)} 达到保级门槛`
        : null
    },
  }),
  rule({
    code: 'upgrade_by_spend',
    title: '持有某等级且消费满额，免费升至更高等级',
    args: z.object({
      from: z.string().min(1),
      to: z.string().min(1),
      minSpendFen: minSpend,
      window: qualifyWindow,
    }),
    levelCodes: (a) => [a.from, a.to],
    qualifies(ctx, args, rank) {
      const from = rankOf(ctx, args.from)
      const to = rankOf(ctx, args.to)
      const spend = ctx.facts.spendFen[args.window]
      if (rank === 0 || rank < from || rank >= to || spend < args.minSpendFen) return null
      return {
        rank: to,
        reason: `${windowName[args.window]}消费 ${yuan(spend)} ≥ ${yuan(args.minSpendFen)}，免费升级`,
      }
    },
  }),
  rule({
    code: 'retain_by_spend',
    title: '会员周期内消费满额即保级',
    args: z.object({
      minSpendFen: minSpend,
      window: z.enum(spendWindows),
      levels: z.array(z.string().min(1)).optional(),
    }),
    levelCodes: (a) => a.levels ?? [],
    retains(ctx, args, rank) {
      const level = levelAt(ctx, rank)
      if (args.levels && (!level || !args.levels.includes(level.code))) return null
      const spend = ctx.facts.spendFen[args.window]
      return spend >= args.minSpendFen
        ? `${windowName[args.window]}消费 ${yuan(spend)} ≥ ${yuan(args.minSpendFen)}，保级`
        : null
    },
  }),
  rule({
    code: 'retain_with_points',
    title: '续费时可用积分抵扣部分会费（会员自行发起）',
    args: z.object({
      /** Most of the fee (fen) points may pay, e.g. 5000 of a 9900 fee. */
      maxFeeFen: z.number().int().min(1),
      /** Points per yuan of fee. */
      pointsPerYuan: z.number().int().min(1).max(100_000),
      levels: z.array(z.string().min(1)).optional(),
    }),
    levelCodes: (a) => a.levels ?? [],
  }),
  rule({
    code: 'downgrade_at_period_end',
    title: '周期结束未保级则降级',
    args: z.object({
      to: z.enum(['one_level', 'spend_level', 'lapse']),
      window: z.enum(spendWindows).default('period'),
    }),
    downgradeTo(ctx, args, rank) {
      if (args.to === 'lapse') return 0
      if (args.to === 'spend_level') return spendLevel(ctx, ctx.facts.spendFen[args.window], rank)
      const lower = ctx.levels.filter((l) => l.rank < rank)
      return lower.length ? lower[lower.length - 1]!.rank : 0
    },
  }),
  rule({
    code: 'card_eligibility',
    title: '符合条件（标签或购买品类）即获得卡，周期结束仍符合则续期',
    args: z
      .object({
        anyTags: z.array(z.string().min(1)).default([]),
        anyCategories: z.array(z.string().min(1)).default([]),
        level: z.string().min(1).optional(),
      })
      .refine((a) => a.anyTags.length + a.anyCategories.length > 0, '至少需要一个标签或品类条件'),
    levelCodes: (a) => (a.level ? [a.level] : []),
    qualifies(ctx, args) {
      const why = eligibility(ctx, args)
      if (!why) return null
      return { rank: args.level ? rankOf(ctx, args.level) : ctx.levels[0]!.rank, reason: why }
    },
    retains: (ctx, args) => eligibility(ctx, args),
  }),
] as const

function eligibility(ctx: RuleContext, args: { anyTags: string[]; anyCategories: string[] }): string | null {
  const tag = args.anyTags.find((t) => ctx.facts.tags.includes(t))
  if (tag) return `带有标签「${tag}」`
  const cat = args.anyCategories.find((c) => ctx.facts.categories.includes(c))
  return cat ? `近一年购买过「${cat}」` : null
}

/** Every rule a ladder's rule set may name. */
export const tierRules = new RuleRegistry<TierRule>('等级规则', tierRuleDefs)

/** A rule as stored and as sent by operators (its args are checked against the ladder: parseTierRules). */
export const tierRuleInputSchema = tierRules.rowSchema
export const tierRuleSetInputSchema = z.array(tierRuleInputSchema).min(1).max(20)
export type TierRuleInput = z.input<typeof tierRuleInputSchema>

export interface ParsedRule {
  code: string
  args: unknown
  def: TierRule
}

/** Validate a rule set against a ladder's levels; a 400 naming every wrong rule argument. */
export function parseTierRules(raw: unknown, levels: LevelRef[]): ParsedRule[] {
  const list = tierRuleSetInputSchema.safeParse(raw)
  if (!list.success) {
    throw new DomainError(
      'invalid_tier_rules',
      '等级规则不正确',
      400,
      list.error.issues.map((i) => ({ path: ['rules', ...i.path].join('.'), message: i.message })),
    )
  }
  const problems: FieldProblem[] = []
  const parsed: ParsedRule[] = []
  list.data.forEach((r, i) => {
    const checked = tierRules.check(r, ['rules', i])
    if (!checked.ok) {
      problems.push(...checked.problems)
      return
    }
    const { rule: def, args } = checked
    for (const code of def.levelCodes?.(args) ?? []) {
      if (!levels.some((l) => l.code === code))
        problems.push({ path: `rules.${i}.args`, message: `等级「${code}」不存在` })
    }
    parsed.push({ code: r.code, args, def })
  })
  if (problems.length) throw new DomainError('invalid_tier_rules', '等级规则不正确', 400, problems)
  return parsed
}

export interface TierDecision {
  kind: TierChangeKind | 'none'
  fromRank: number
  toRank: number
  ruleCode: string | null
  reason: string
  startsAt: Date | null
  endsAt: Date | null
}

/** Add months on the Asia/Shanghai calendar (a period starting 3 Mar ends 3 Mar). */
export function addMonths(at: Date, months: number): Date {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS)
  const moved = Date.UTC(
    local.getUTCFullYear(),
    local.getUTCMonth() + months,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds(),
  )
  return new Date(moved - SHANGHAI_OFFSET_MS)
}

function bestQualification(rules: ParsedRule[], ctx: RuleContext, rank: number) {
  let best: { rank: number; reason: string; code: string } | null = null
  for (const r of rules) {
    const q = r.def.qualifies?.(ctx, r.args, rank)
    if (q && q.rank > rank && (!best || q.rank > best.rank)) best = { ...q, code: r.code }
  }
  return best
}

/** Follow qualifications from `rank` as far as they go (V1 → V2 → V3 when both upgrades hold). */
function climb(rules: ParsedRule[], ctx: RuleContext, rank: number) {
  let result: { rank: number; reason: string; code: string } | null = null
  for (let guard = 0; guard <= ctx.levels.length; guard++) {
    const q = bestQualification(rules, ctx, result?.rank ?? rank)
    if (!q) break
    result = q
  }
  return result
}

/**
 * Pure: what the rules do to one member at `at`. Moves up as soon as a rule qualifies the member for a
 * higher level (a new period starts); at the end of a period, keeps the level when a rule retains it,
 * else moves down as the downgrade rule says (or lapses). The result is stable: evaluating again at the
 * same time after applying it decides nothing.
 */
export function decideTier(rules: ParsedRule[], ctx: RuleContext): TierDecision {
  const current = ctx.holding ? (ctx.levels.find((l) => l.id === ctx.holding!.levelId)?.rank ?? 0) : 0
  const none: TierDecision = {
    kind: 'none',
    fromRank: current,
    toRank: current,
    ruleCode: null,
    reason: '',
    startsAt: null,
    endsAt: null,
  }
  const freshPeriod = { startsAt: ctx.at, endsAt: addMonths(ctx.at, ctx.periodMonths) }
  const up = climb(rules, ctx, current)
  if (up) {
    return {
      kind: current === 0 ? 'join' : 'up',
      fromRank: current,
      toRank: up.rank,
      ruleCode: up.code,
      reason: up.reason,
      ...freshPeriod,
    }
  }
  const holding = ctx.holding
  if (!holding || current === 0 || !holding.endsAt || holding.endsAt > ctx.at) return none

  // The period is over: the next period follows on from it (or starts now if the pass ran late).
  let next = { startsAt: holding.endsAt, endsAt: addMonths(holding.endsAt, ctx.periodMonths) }
  if (next.endsAt <= ctx.at) next = freshPeriod
  for (const r of rules) {
    const why = r.def.retains?.(ctx, r.args, current)
    if (why)
      return { kind: 'renew', fromRank: current, toRank: current, ruleCode: r.code, reason: why, ...next }
  }
  const down = rules.find((r) => r.def.downgradeTo)
  let target = down ? down.def.downgradeTo!(ctx, down.args, current) : 0
  let code: string | null = down?.code ?? null
  let reason = down ? '会员周期结束，未达到保级条件' : '会员周期结束'
  // Settle where the member ends up: a rule that would move them straight back up is taken now.
  const back = climb(rules, ctx, target)
  if (back) {
    target = back.rank
    code = back.code
    reason = back.reason
  }
  if (target > current)
    return { kind: 'up', fromRank: current, toRank: target, ruleCode: code, reason, ...next }
  if (target === current)
    return { kind: 'renew', fromRank: current, toRank: current, ruleCode: code, reason, ...next }
  if (target === 0)
    return {
      kind: 'lapse',
      fromRank: current,
      toRank: 0,
      ruleCode: code,
      reason,
      startsAt: null,
      endsAt: null,
    }
  return { kind: 'down', fromRank: current, toRank: target, ruleCode: code, reason, ...next }
}

/** The points-for-fee terms a rule set offers a level on renewal, if any. */
export function renewalWithPointsTerms(
  rules: ParsedRule[],
  levelCode: string,
): { maxFeeFen: number; pointsPerYuan: number } | null {
  for (const r of rules) {
    if (r.code !== 'retain_with_points') continue
    const a = r.args as { maxFeeFen: number; pointsPerYuan: number; levels?: string[] }
    if (!a.levels || a.levels.includes(levelCode))
      return { maxFeeFen: a.maxFeeFen, pointsPerYuan: a.pointsPerYuan }
  }
  return null
}

/** Operators' catalogue of rule codes, with what each does and its argument schema. */
export const tierRuleCatalogue = () => tierRules.catalogue()
