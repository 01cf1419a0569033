// The pacing rule: when may an account send its next proactive message without looking like a machine.
// A pure function of the account's pacing state, its policy and the time — used by the bot's sender to
// decide, and by campaigns to estimate when a send will finish. Times are UTC instants; quiet hours and
// the daily cap are read on the Asia/Shanghai calendar.
import { z } from 'zod'
import { SHANGHAI_OFFSET_MS, shanghaiDate } from '../clock'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
const gap = z
  .tuple([z.number().int().min(0), z.number().int().min(0)])
  .refine(([min, max]) => min <= max, '最小间隔不能大于最大间隔')

export const pacingPolicySchema = z.object({
  /** Random gap after any send before the next 1:1 message, [min, max] milliseconds. */
  directGapMs: gap.default([8_000, 20_000]),
  /** Random gap between two group posts (or invitations), [min, max] milliseconds. */
  groupGapMs: gap.default([20_000, 40_000]),
  /** Proactive messages per Asia/Shanghai day. */
  dailyCap: z.number().int().min(0).default(300),
  /** No proactive sending from quietStart to quietEnd (Asia/Shanghai; may wrap midnight). */
  quietStart: hhmm.default('22:00'),
  quietEnd: hhmm.default('08:30'),
  /** How long sending stops when WeChat says "too frequent" or a limit is hit, [min, max] ms. */
  limitBackoffMs: gap.default([12 * 3600_000, 24 * 3600_000]),
  /** Attempts before a message becomes a dead letter. */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** First retry delay after an ordinary failure; doubles each attempt. */
  retryBaseMs: z
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
})
export type PacingPolicy = z.infer<typeof pacingPolicySchema>
/** What an account or a caller may override. */
export type PacingOverrides = z.input<typeof pacingPolicySchema>

export const defaultPacingPolicy: PacingPolicy = pacingPolicySchema.parse({})

export type SendKind = 'direct' | 'group' | 'invite'

export interface PacingState {
  /** Earliest next 1:1 message (the jittered gap after the last send). */
  nextDirectAt: Date | null
  /** Earliest next group post or invitation. */
  nextGroupAt: Date | null
  /** The Asia/Shanghai date sentOnDay counts for. */
  pacingDay: string | null
  sentOnDay: number
  /** Sending paused (rate-limited by WeChat) until then. */
  pausedUntil: Date | null
}

export const freshPacingState = (): PacingState => ({
  nextDirectAt: null,
  nextGroupAt: null,
  pacingDay: null,
  sentOnDay: 0,
  pausedUntil: null,
})

const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))
const DAY_MS = 24 * 3600_000

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

/** True when `at` falls in the quiet hours [quietStart, quietEnd). */
export function inQuietHours(at: Date, policy: Pick<PacingPolicy, 'quietStart' | 'quietEnd'>): boolean {
  const start = minutes(policy.quietStart)
  const end = minutes(policy.quietEnd)
  if (start === end) return false
  const m = shanghaiMinute(at)
  return start < end ? m >= start && m < end : m >= start || m < end
}

/** The first instant at or after `at` outside the quiet hours. */
export function endOfQuietHours(at: Date, policy: Pick<PacingPolicy, 'quietStart' | 'quietEnd'>): Date {
  if (!inQuietHours(at, policy)) return at
  let end = shanghaiTimeOnDay(at, policy.quietEnd)
  if (end.getTime() <= at.getTime()) end = new Date(end.getTime() + DAY_MS)
  return end
}

/** The first instant of the next Asia/Shanghai day after `at`. */
function nextShanghaiMidnight(at: Date): Date {
  return new Date(shanghaiTimeOnDay(at, '00:00').getTime() + DAY_MS)
}

const later = (a: Date, b: Date | null) => (b && b.getTime() > a.getTime() ? b : a)

/**
 * The earliest instant at or after `now` at which the account may send a message of `kind`: after its
 * jittered gap, outside the quiet hours, within the day's cap, and not while paused.
 */
export function nextSendTime(
  state: PacingState,
  policy: PacingPolicy,
  now: Date,
  kind: SendKind = 'direct',
): Date {
  let t = later(now, state.pausedUntil)
  t = later(t, kind === 'direct' ? state.nextDirectAt : state.nextGroupAt)
  if (policy.dailyCap === 0) return new Date(8.64e15)
  for (let guard = 0; guard < 4; guard++) {
    t = endOfQuietHours(t, policy)
    const full = state.pacingDay === shanghaiDate(t) && state.sentOnDay >= policy.dailyCap
    if (!full) return t
    t = nextShanghaiMidnight(t)
  }
  return endOfQuietHours(t, policy)
}

/** Draws a gap in [min, max] from `random` in [0, 1). */
export const drawGap = ([min, max]: readonly [number, number], random: number) =>
  Math.round(min + (max - min) * Math.min(Math.max(random, 0), 0.999999))

/**
 * The state after a send of `kind` at `at`. The jittered gaps are drawn here, once, and stored, so a
 * restart never draws again and shortens the wait.
 */
export function recordSend(
  state: PacingState,
  policy: PacingPolicy,
  kind: SendKind,
  at: Date,
  random: () => number = Math.random,
): PacingState {
  const day = shanghaiDate(at)
  const nextDirectAt = new Date(at.getTime() + drawGap(policy.directGapMs, random()))
  const nextGroupAt =
    kind === 'direct'
      ? later(nextDirectAt, state.nextGroupAt)
      : later(new Date(at.getTime() + drawGap(policy.groupGapMs, random())), nextDirectAt)
  return {
    ...state,
    nextDirectAt,
    nextGroupAt,
    pacingDay: day,
    sentOnDay: state.pacingDay === day ? state.sentOnDay + 1 : 1,
  }
}

/** The state after WeChat refused a send as too frequent: sending stops for 12–24 hours. */
export function recordLimited(
  state: PacingState,
  policy: PacingPolicy,
  at: Date,
  random: number,
): PacingState {
  return { ...state, pausedUntil: new Date(at.getTime() + drawGap(policy.limitBackoffMs, random)) }
}

/** When the n-th failed attempt (1-based) may be retried. */
export function retryAt(policy: PacingPolicy, attempts: number, at: Date): Date {
  return new Date(at.getTime() + policy.retryBaseMs * 2 ** Math.max(0, attempts - 1))
}

/**
 * When `count` messages of one kind, sent by one account from `start`, would be out: the schedule the
 * sender follows, with every gap at its expected (mid-range) value. For campaign finish estimates.
 */
export function estimateFinish(
  count: number,
  policy: PacingPolicy,
  start: Date,
  kind: SendKind = 'direct',
  state: PacingState = freshPacingState(),
): Date {
  let s = state
  let t = start
  for (let i = 0; i < count; i++) {
    t = nextSendTime(s, policy, t, kind)
    if (t.getTime() >= 8.64e15) return t
    s = recordSend(s, policy, kind, t, () => 0.5)
  }
  return t
}

/** An account's policy: the defaults, its own cap and quiet hours, and its stored overrides. */
export function accountPolicy(account: {
  dailyCap: number
  quietStart: string
  quietEnd: string
  pacing: unknown
}): PacingPolicy {
  const overrides = pacingPolicySchema.partial().safeParse(account.pacing ?? {})
  return pacingPolicySchema.parse({
    ...(overrides.success ? overrides.data : {}),
    dailyCap: account.dailyCap,
    quietStart: account.quietStart,
    quietEnd: account.quietEnd,
  })
}

/** The pacing state kept on an account row. */
export function accountPacingState(account: {
  nextDirectAt: Date | null
  nextGroupAt: Date | null
  pacingDay: string | null
  sentOnDay: number
  pausedUntil: Date | null
}): PacingState {
  return {
    nextDirectAt: account.nextDirectAt,
    nextGroupAt: account.nextGroupAt,
    pacingDay: account.pacingDay,
    sentOnDay: account.sentOnDay,
    pausedUntil: account.pausedUntil,
  }
}
