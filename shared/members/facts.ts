// What the rules of the members domain read about one member: their statistics (see stats.ts) as plain
// data, so every rule is a pure function testable with a plain object, and the same rule compiles to
// SQL over the `member_stats` row for set-based passes.
import { sql, type SQL } from 'drizzle-orm'
import type { MemberStats } from './schema'

export type MemberFacts = Omit<MemberStats, 'memberId' | 'computedAt' | 'windowsAt'> & {
  /** The member's last event of any kind (`members.last_seen_at`). */
  lastSeenAt: Date | null
}

export const emptyFacts = (): MemberFacts => ({
  paidOrders: 0,
  orders90d: 0,
  orders180d: 0,
  orders365d: 0,
  spendFen: 0,
  firstPaidAt: null,
  lastPaidAt: null,
  categories: 0,
  brands: 0,
  shares: 0,
  referrals: 0,
  feedbacks: 0,
  complaints: 0,
  lastFeedbackAt: null,
  lastComplaintAt: null,
  interestEvents: 0,
  inboundChats: 0,
  engagement30d: 0,
  lastSeenAt: null,
})

export const DAY_MS = 86_400_000

/** Whole days from `then` to `now` (null when it never happened). */
export function daysSince(then: Date | null, now: Date): number | null {
  return then ? Math.floor((now.getTime() - then.getTime()) / DAY_MS) : null
}

/**
 * Rules compile to SQL over two aliases: `m` (members) and `s` (member_stats, left-joined).
 * A statistics count (a missing row reads as zero).
 */
export function statCount(alias: string, column: string): SQL {
  return sql.raw(`coalesce(${alias}.${column}, 0)`)
}

export function statAt(alias: string, column: string): SQL {
  return sql.raw(`${alias}.${column}`)
}

/** `column` happened within the last `days` days of `now`, in SQL. */
export function withinDaysSql(column: SQL, now: SQL, days: number): SQL {
  return sql`(${column} is not null and ${column} > ${now} - make_interval(days => ${days}::int))`
}

/** The same judgement in JavaScript. */
export function withinDays(then: Date | null, now: Date, days: number): boolean {
  return then !== null && then.getTime() > now.getTime() - days * DAY_MS
}

export const nowSql = (at: Date) => sql`${at.toISOString()}::timestamptz`
