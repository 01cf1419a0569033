// Pacing: when may an account take its next risky action without looking like a machine. Each limit is
// a rule (shared/rules.ts) — a code, zod-typed args, a pure `check` (the earliest instant the rule allows) and an `apply`
// (what the rule remembers after an action) — and an account's policy is a list of `{code, args}` rows:
// the defaults below, with the account's own overrides. Every action kind has its own counters. Used by
// the bot's sender to decide, and by campaigns to estimate when a send will finish (one owner).
// Times are UTC instants; quiet hours, hours and days are read on the Asia/Shanghai calendar.
import { z } from 'zod'
import { SHANGHAI_OFFSET_MS, shanghaiDate } from '../clock'
import { defineRule, RuleRegistry, type Rule } from '../rules'

export { actionKinds, type ActionKind } from '../db/schema/chat'
import { actionKinds, type ActionKind } from '../db/schema/chat'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
const range = z
  .tuple([z.number().int().min(0), z.number().int().min(0)])
  .refine(([min, max]) => min <= max, '最小值不能大于最大值')
const kind = z.enum(actionKinds)

/** What the rules remember per action kind. */
export interface KindState {
  /** Earliest next action of this kind (the jittered gap after the last one), epoch ms. */
  nextAt: number | null
  /** Asia/Shanghai hour ('YYYY-MM-DDTHH') inHour counts for. */
  hour: string | null
  inHour: number
  /** Asia/Shanghai date onDay counts for. */
  day: string | null
  onDay: number
  /** WeChat said "too frequent" for this kind: paused until then, epoch ms. */
  pausedUntil: number | null
  pauseReason?: string | null
}

export interface PacingState {
  /** Earliest next action of any kind (the gap between any two actions), epoch ms. */
  anyNextAt: number | null
  kinds: Partial<Record<ActionKind, KindState>>
  /** Recent "too frequent" answers (epoch ms), for the repeated-limit signal. */
  limits: number[]
  /** Sends that failed in a row (for another reason than a limit); a success starts again from 0. */
  failedInRow?: number
}

export const freshPacingState = (): PacingState => ({ anyNextAt: null, kinds: {}, limits: [] })

const freshKind = (): KindState => ({
  nextAt: null,
  hour: null,
  inHour: 0,
  day: null,
  onDay: 0,
  pausedUntil: null,
})

const kindState = (state: PacingState, k: ActionKind): KindState => state.kinds[k] ?? freshKind()

/** What a rule may know besides the state: the account's age for the warm-up ramp. */
export interface PacingEnv {
  /** Asia/Shanghai date of the account's first login; null = not logged in yet (day 1). */
  firstDay: string | null
}

export interface RuleContext {
  state: PacingState
  kind: ActionKind
  /** The candidate instant. */
  at: Date
  env: PacingEnv
}

/** Never: a cap of 0. */
export const NEVER = new Date(8.64e15)

export interface PacingRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  /** Does this rule limit actions of `kind`? */
  appliesTo(args: z.output<A>, kind: ActionKind): boolean
  /** The earliest instant at or after ctx.at this rule allows. */
  check(ctx: RuleContext, args: z.output<A>): Date
  /** The state after an action at ctx.at (only what this rule draws; counters are kept centrally). */
  apply?(ctx: RuleContext, args: z.output<A>, random: () => number): PacingState
}

const pacingRule = <A extends z.ZodType>(rule: PacingRule<A>) => defineRule(rule)

const DAY_MS = 24 * 3600_000
const HOUR_MS = 3600_000
const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))

/** Minute of the Asia/Shanghai day (0..1439) of an instant. */
function shanghaiMinute(at: Date): number {
  return Math.floor(((((at.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 60_000)
}

/** The instant of HH:MM on the Shanghai day that contains `at` (possibly before `at`). */
function shanghaiTimeOnDay(at: Date, hm: string): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS
  const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS)
  return new Date(midnight + minutes(hm) * 60_000 - SHANGHAI_OFFSET_MS)
}

/** 'YYYY-MM-DDTHH' of an instant, Asia/Shanghai. */
export const shanghaiHour = (at: Date) =>
  new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 13)

const nextShanghaiMidnight = (at: Date) => new Date(shanghaiTimeOnDay(at, '00:00').getTime() + DAY_MS)
const nextHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS)

/** True when `at` falls in the quiet hours [start, end). */
export function inQuietHours(at: Date, quiet: { quietStart: string; quietEnd: string }): boolean {
  const start = minutes(quiet.quietStart)
  const end = minutes(quiet.quietEnd)
  if (start === end) return false
  const m = shanghaiMinute(at)
  return start < end ? m >= start && m < end : m >= start || m < end
}

/** The first instant at or after `at` outside the quiet hours. */
export function endOfQuietHours(at: Date, quiet: { quietStart: string; quietEnd: string }): Date {
  if (!inQuietHours(at, quiet)) return at
  let end = shanghaiTimeOnDay(at, quiet.quietEnd)
  if (end.getTime() <= at.getTime()) end = new Date(end.getTime() + DAY_MS)
  return end
}

/** Draws a value in [min, max] from `random` in [0, 1). */
export const drawGap = ([min, max]: readonly [number, number], random: number) =>
  Math.round(min + (max - min) * Math.min(Math.max(random, 0), 0.999999))

const later = (a: Date, ms: number | null | undefined) => (ms != null && ms > a.getTime() ? new Date(ms) : a)

/** Day n (1-based) of the account's life, on the Asia/Shanghai calendar. */
export function accountDay(env: PacingEnv, at: Date): number {
  if (!env.firstDay) return 1
  const days = Math.round(
    (Date.parse(`${shanghaiDate(at)}T00:00:00Z`) - Date.parse(`${env.firstDay}T00:00:00Z`)) / DAY_MS,
  )
  return Math.max(1, days + 1)
}

// ---- The rules ------------------------------------------------------------------------------------

const quietHoursArgs = z.object({
  start: hhmm,
  end: hhmm,
  /** The kinds that wait for morning (replies to a member who just wrote do not). */
  kinds: z.array(kind),
})
const quietHours = pacingRule({
  code: 'quiet_hours',
  title: '免打扰时段内不做这些动作',
  args: quietHoursArgs,
  appliesTo: (a, k) => a.kinds.includes(k),
  check: (ctx, a) => endOfQuietHours(ctx.at, { quietStart: a.start, quietEnd: a.end }),
})

const gapArgs = z.object({ kind, ms: range })
/** A jittered gap after each action of `kind`, drawn once when the action is taken and stored. */
const gap = pacingRule({
  code: 'gap',
  title: '同类动作之间随机间隔',
  args: gapArgs,
  appliesTo: (a, k) => a.kind === k,
  check: (ctx, a) => later(ctx.at, kindState(ctx.state, a.kind).nextAt),
  apply: (ctx, a, random) => ({
    ...ctx.state,
    kinds: {
      ...ctx.state.kinds,
      [a.kind]: { ...kindState(ctx.state, a.kind), nextAt: ctx.at.getTime() + drawGap(a.ms, random()) },
    },
  }),
})

const anyGapArgs = z.object({ ms: range })
/** A jittered gap between any two actions of the account, whatever their kinds. */
const anyGap = pacingRule({
  code: 'any_gap',
  title: '任意两个动作之间随机间隔',
  args: anyGapArgs,
  appliesTo: () => true,
  check: (ctx) => later(ctx.at, ctx.state.anyNextAt),
  apply: (ctx, a, random) => ({ ...ctx.state, anyNextAt: ctx.at.getTime() + drawGap(a.ms, random()) }),
})

const hourlyCapArgs = z.object({ kind, max: z.number().int().min(0) })
/** At most `max` actions of `kind` per Asia/Shanghai clock hour. */
const hourlyCap = pacingRule({
  code: 'hourly_cap',
  title: '每小时最多次数',
  args: hourlyCapArgs,
  appliesTo: (a, k) => a.kind === k,
  check: (ctx, a) => {
    if (a.max === 0) return NEVER
    const s = kindState(ctx.state, a.kind)
    return s.hour === shanghaiHour(ctx.at) && s.inHour >= a.max ? nextHour(ctx.at) : ctx.at
  },
})

const dailyCapArgs = z.object({
  kind,
  max: z.number().int().min(0),
  /**
   * Warm-up: the share of `max` allowed on the account's first days (day 1, day 2, …); full after.
   * A new account that sends at full speed at once is the first to be limited.
   */
  ramp: z.array(z.number().min(0).max(1)).max(60).default([]),
})
/** At most `max` actions of `kind` per Asia/Shanghai day, ramped up over the account's first days. */
const dailyCap = pacingRule({
  code: 'daily_cap',
  title: '每天最多次数（新账号前几天逐步放量）',
  args: dailyCapArgs,
  appliesTo: (a, k) => a.kind === k,
  check: (ctx, a) => {
    const s = kindState(ctx.state, a.kind)
    const today = shanghaiDate(ctx.at)
    const used = s.day === today ? s.onDay : 0
    if (used < dailyAllowance(a, accountDay(ctx.env, ctx.at))) return ctx.at
    // Full today: the first day ahead whose allowance is above zero (the ramp only grows).
    let t = nextShanghaiMidnight(ctx.at)
    for (let i = 0; i < 62; i++) {
      if (dailyAllowance(a, accountDay(ctx.env, t)) > 0) return t
      t = nextShanghaiMidnight(t)
    }
    return NEVER
  },
})

/** How many actions the daily cap allows on day n of the account. */
export function dailyAllowance(a: { max: number; ramp: number[] }, day: number): number {
  const share = day <= a.ramp.length ? a.ramp[day - 1]! : 1
  return Math.floor(a.max * share)
}

const pauseArgs = z.object({})
/** "Too frequent" from WeChat pauses that kind (only that kind) until the stored instant. */
const pause = pacingRule({
  code: 'pause',
  title: '微信提示“操作过于频繁”后暂停该类动作',
  args: pauseArgs,
  appliesTo: () => true,
  check: (ctx) => later(ctx.at, kindState(ctx.state, ctx.kind).pausedUntil),
})

/** Every rule a policy's `{code, args}` rows may name. */
export const pacingRules = new RuleRegistry<PacingRule>('发送节奏规则', [
  quietHours,
  gap,
  anyGap,
  hourlyCap,
  dailyCap,
  pause,
])

export const pacingRuleRowSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('quiet_hours'), args: quietHoursArgs }),
  z.object({ code: z.literal('gap'), args: gapArgs }),
  z.object({ code: z.literal('any_gap'), args: anyGapArgs }),
  z.object({ code: z.literal('hourly_cap'), args: hourlyCapArgs }),
  z.object({ code: z.literal('daily_cap'), args: dailyCapArgs }),
  z.object({ code: z.literal('pause'), args: pauseArgs }),
])
export type PacingRuleRow = z.infer<typeof pacingRuleRowSchema>

const replyDelayArgs = z.object({
  /** Reading and starting to type. */
  baseMs: z.number().int().min(0),
  /** Typing, per character of the reply. */
  perCharMs: z.number().int().min(0),
  /** ± this share of the delay, at random. */
  jitter: z.number().min(0).max(1),
  minMs: z.number().int().min(0),
  maxMs: z.number().int().min(0),
})

/** The rule rows and the settings that are not rules (retries, back-off, reply delay). */
export const pacingPolicySchema = z.object({
  rules: z.array(pacingRuleRowSchema),
  /** How long a kind pauses when WeChat says "too frequent", [min, max] ms. */
  limitBackoffMs: range,
  /** "Too frequent" this many times within limitWindowMs: the account is treated as limited (members move). */
  limitsBeforeBan: z.number().int().min(1).max(100),
  limitWindowMs: z.number().int().min(60_000),
  /** Sends failing this many times in a row: the account is limited (every kind pauses), a limit signal. */
  failuresBeforeLimited: z.number().int().min(1).max(1000),
  /** Attempts before a message becomes a dead letter. */
  maxAttempts: z.number().int().min(1).max(20),
  /** First retry delay after an ordinary failure; doubles each attempt. */
  retryBaseMs: z.number().int().min(0),
  /** How long a reply waits before it goes: like a person reading and typing. */
  replyDelay: replyDelayArgs,
})
export type PacingPolicy = z.infer<typeof pacingPolicySchema>

const WARMUP = [0.2, 0.3, 0.4, 0.55, 0.7, 0.85]
const NIGHT_KINDS = actionKinds.filter((k) => k !== 'reply')

/** The limits of each kind, as data: [gap ms, per hour, per day]. Sources in the README. */
export const defaultKindLimits: Record<
  ActionKind,
  { gapMs: [number, number]; hourly: number; daily: number }
> = {
  direct: { gapMs: [8_000, 20_000], hourly: 120, daily: 300 },
  reply: { gapMs: [2_000, 5_000], hourly: 200, daily: 1_000 },
  group_post: { gapMs: [20_000, 40_000], hourly: 30, daily: 100 },
  link: { gapMs: [60_000, 120_000], hourly: 20, daily: 60 },
  friend_accept: { gapMs: [120_000, 360_000], hourly: 15, daily: 80 },
  invite: { gapMs: [30_000, 60_000], hourly: 40, daily: 200 },
  group_create: { gapMs: [600_000, 1_200_000], hourly: 2, daily: 5 },
}

export function defaultRuleRows(quiet = { start: '22:00', end: '08:30' }): PacingRuleRow[] {
  return [
    { code: 'pause', args: {} },
    { code: 'quiet_hours', args: { start: quiet.start, end: quiet.end, kinds: [...NIGHT_KINDS] } },
    { code: 'any_gap', args: { ms: [3_000, 6_000] } },
    ...actionKinds.flatMap((k): PacingRuleRow[] => [
      { code: 'gap', args: { kind: k, ms: defaultKindLimits[k].gapMs } },
      { code: 'hourly_cap', args: { kind: k, max: defaultKindLimits[k].hourly } },
      {
        code: 'daily_cap',
        args: { kind: k, max: defaultKindLimits[k].daily, ramp: k === 'reply' ? [] : WARMUP },
      },
    ]),
  ]
}

export const defaultPacingPolicy: PacingPolicy = {
  rules: defaultRuleRows(),
  limitBackoffMs: [12 * HOUR_MS, 24 * HOUR_MS],
  limitsBeforeBan: 3,
  limitWindowMs: DAY_MS,
  failuresBeforeLimited: 10,
  maxAttempts: 5,
  retryBaseMs: 5 * 60_000,
  replyDelay: { baseMs: 2_000, perCharMs: 150, jitter: 0.3, minMs: 3_000, maxMs: 45_000 },
}

/** What an account may override: rule rows (replacing the default of the same code and kind) and settings. */
export const pacingOverridesSchema = pacingPolicySchema
  .omit({ rules: true })
  .partial()
  .extend({
    rules: z.array(pacingRuleRowSchema).max(100).optional(),
  })
export type PacingOverrides = z.input<typeof pacingOverridesSchema>

const ruleKey = (r: PacingRuleRow) => `${r.code}:${'kind' in r.args ? r.args.kind : ''}`

/** The defaults with the overrides laid on top: a row replaces the default row of its code (and kind). */
export function withOverrides(base: PacingPolicy, overrides: PacingOverrides): PacingPolicy {
  const parsed = pacingOverridesSchema.parse(overrides)
  const rows = new Map(base.rules.map((r) => [ruleKey(r), r]))
  for (const r of parsed.rules ?? []) rows.set(ruleKey(r), r)
  const { rules: _ignored, ...settings } = parsed
  return { ...base, ...settings, rules: [...rows.values()] }
}

// ---- Using the rules ------------------------------------------------------------------------------

function rulesFor(policy: PacingPolicy, k: ActionKind) {
  return policy.rules
    .map((row) => ({ rule: pacingRules.get(row.code), args: row.args }))
    .filter(({ rule, args }) => rule.appliesTo(args, k))
}

/**
 * The earliest instant at or after `now` at which the account may take an action of `kind`: the
 * latest instant any rule asks for, asked again until every rule agrees. NEVER when a cap is 0.
 */
export function nextActionTime(
  state: PacingState,
  policy: PacingPolicy,
  k: ActionKind,
  now: Date,
  env: PacingEnv = { firstDay: null },
): Date {
  const rules = rulesFor(policy, k)
  let t = now
  for (let round = 0; round < 100; round++) {
    let moved = false
    for (const { rule, args } of rules) {
      const allowed = rule.check({ state, kind: k, at: t, env }, args)
      if (allowed.getTime() >= NEVER.getTime()) return NEVER
      if (allowed.getTime() > t.getTime()) {
        t = allowed
        moved = true
      }
    }
    if (!moved) return t
  }
  return t
}

/**
 * The state after an action of `kind` at `at`: the kind's hour and day counters move, and each rule
 * draws what it remembers (gaps are drawn here, once, and stored, so a restart never shortens a wait).
 */
export function recordAction(
  state: PacingState,
  policy: PacingPolicy,
  k: ActionKind,
  at: Date,
  random: () => number = Math.random,
  env: PacingEnv = { firstDay: null },
): PacingState {
  const s = kindState(state, k)
  const day = shanghaiDate(at)
  const hour = shanghaiHour(at)
  let next: PacingState = {
    ...state,
    kinds: {
      ...state.kinds,
      [k]: {
        ...s,
        day,
        onDay: s.day === day ? s.onDay + 1 : 1,
        hour,
        inHour: s.hour === hour ? s.inHour + 1 : 1,
      },
    },
  }
  for (const { rule, args } of rulesFor(policy, k)) {
    if (rule.apply) next = rule.apply({ state: next, kind: k, at, env }, args, random)
  }
  return next
}

/** WeChat refused an action as too frequent: that kind pauses for 12–24 hours; the signal is kept. */
export function recordLimited(
  state: PacingState,
  policy: PacingPolicy,
  k: ActionKind,
  at: Date,
  random: number,
  reason: string,
): PacingState {
  const until = at.getTime() + drawGap(policy.limitBackoffMs, random)
  return {
    ...state,
    kinds: { ...state.kinds, [k]: { ...kindState(state, k), pausedUntil: until, pauseReason: reason } },
    limits: [...state.limits.filter((t) => t > at.getTime() - policy.limitWindowMs), at.getTime()],
  }
}

/**
 * A send failed for another reason than a limit. Failures in a row are counted; at
 * failuresBeforeLimited the account counts as limited: every kind pauses as for "too frequent", and
 * the failures count as one limit signal.
 */
export function recordFailedSend(
  state: PacingState,
  policy: PacingPolicy,
  at: Date,
  random: number,
  reason: string,
): { state: PacingState; limited: boolean } {
  const failed = (state.failedInRow ?? 0) + 1
  if (failed < policy.failuresBeforeLimited)
    return { state: { ...state, failedInRow: failed }, limited: false }
  const until = at.getTime() + drawGap(policy.limitBackoffMs, random)
  const kinds = { ...state.kinds }
  for (const k of actionKinds) {
    const s = kindState(state, k)
    kinds[k] = { ...s, pausedUntil: Math.max(s.pausedUntil ?? 0, until), pauseReason: reason }
  }
  return {
    state: {
      ...state,
      kinds,
      limits: [...state.limits.filter((t) => t > at.getTime() - policy.limitWindowMs), at.getTime()],
      failedInRow: 0,
    },
    limited: true,
  }
}

/** Repeated "too frequent" within the window: a limit signal that moves the account's members. */
export const repeatedlyLimited = (state: PacingState, policy: PacingPolicy, at: Date) =>
  state.limits.filter((t) => t > at.getTime() - policy.limitWindowMs).length >= policy.limitsBeforeBan

/** The latest pause of any kind (shown to operators), or null. */
export function latestPause(state: PacingState, now: Date): { until: Date; reason: string | null } | null {
  let best: { until: Date; reason: string | null } | null = null
  for (const s of Object.values(state.kinds)) {
    if (s?.pausedUntil && s.pausedUntil > now.getTime() && (!best || s.pausedUntil > best.until.getTime())) {
      best = { until: new Date(s.pausedUntil), reason: s.pauseReason ?? null }
    }
  }
  return best
}

/** When the n-th failed attempt (1-based) may be retried. */
export function retryAt(policy: PacingPolicy, attempts: number, at: Date): Date {
  return new Date(at.getTime() + policy.retryBaseMs * 2 ** Math.max(0, attempts - 1))
}

/** How long a reply waits, like a person reading and typing: proportional to its length, jittered, bounded. */
export function replyDelayMs(text: string, policy: Pick<PacingPolicy, 'replyDelay'>, random: number): number {
  const d = policy.replyDelay
  const typed = d.baseMs + d.perCharMs * [...text].length
  const jittered = typed * (1 + d.jitter * (2 * Math.min(Math.max(random, 0), 1) - 1))
  return Math.round(Math.min(d.maxMs, Math.max(d.minMs, jittered)))
}

/**
 * When `count` actions of one kind, taken by one account from `start`, would be done: the schedule the
 * sender follows with every gap at `draw` (0.5 = its expected value, 0 = the fastest the rules allow).
 * For campaign finish estimates and the sender benchmark. NEVER when the account can never act.
 */
export function estimateFinish(
  count: number,
  policy: PacingPolicy,
  start: Date,
  k: ActionKind = 'direct',
  state: PacingState = freshPacingState(),
  env: PacingEnv = { firstDay: null },
  draw = 0.5,
): Date {
  let s = state
  let t = start
  for (let i = 0; i < count; i++) {
    t = nextActionTime(s, policy, k, t, env)
    if (t.getTime() >= NEVER.getTime()) return NEVER
    s = recordAction(s, policy, k, t, () => draw, env)
  }
  return t
}

const pacingStateSchema = z.object({
  anyNextAt: z.number().nullable().default(null),
  kinds: z
    .record(
      z.string(),
      z.object({
        nextAt: z.number().nullable().default(null),
        hour: z.string().nullable().default(null),
        inHour: z.number().int().default(0),
        day: z.string().nullable().default(null),
        onDay: z.number().int().default(0),
        pausedUntil: z.number().nullable().default(null),
        pauseReason: z.string().nullable().optional(),
      }),
    )
    .default({}),
  limits: z.array(z.number()).default([]),
  failedInRow: z.number().int().min(0).default(0),
})

/** The pacing state kept on an account row (an unreadable one starts fresh rather than failing sends). */
export function accountPacingState(account: { pacingState: unknown }): PacingState {
  const parsed = pacingStateSchema.safeParse(account.pacingState ?? {})
  return parsed.success ? (parsed.data as PacingState) : freshPacingState()
}

/** The account's warm-up clock: from its first login, or from `now` for one that never logged in. */
export const accountEnv = (account: { firstLoginAt: Date | null }, now: Date): PacingEnv => ({
  firstDay: shanghaiDate(account.firstLoginAt ?? now),
})

/**
 * An account's policy: the defaults, its own daily cap (1:1 messages) and quiet hours, then its stored
 * overrides. Stored overrides that no longer parse are ignored rather than stopping the account.
 */
export function accountPolicy(account: {
  dailyCap: number
  quietStart: string
  quietEnd: string
  pacing: unknown
}): PacingPolicy {
  const base: PacingPolicy = {
    ...defaultPacingPolicy,
    rules: defaultRuleRows({ start: account.quietStart, end: account.quietEnd }).map((r) =>
      r.code === 'daily_cap' && r.args.kind === 'direct'
        ? { ...r, args: { ...r.args, max: account.dailyCap } }
        : r,
    ),
  }
  const overrides = pacingOverridesSchema.safeParse(account.pacing ?? {})
  return overrides.success ? withOverrides(base, overrides.data) : base
}

/** What the daily cap of `kind` allows today for this account (for operators and estimates). */
export function dailyCapOf(policy: PacingPolicy, k: ActionKind, env: PacingEnv, at: Date): number {
  const row = policy.rules.find((r) => r.code === 'daily_cap' && r.args.kind === k)
  if (!row || row.code !== 'daily_cap') return Infinity
  return dailyAllowance(row.args, accountDay(env, at))
}

/** Actions of `kind` taken today (Asia/Shanghai). */
export function usedToday(state: PacingState, k: ActionKind, at: Date): number {
  const s = state.kinds[k]
  return s && s.day === shanghaiDate(at) ? s.onDay : 0
}
