// What the rules of the members domain read about one member: their statistics (see stats.ts) as plain
// data, so every rule is a pure function testable with a plain object, and the same rule compiles to
// SQL over the `member_stats` row for set-based passes.
import { sql, type SQL } from 'drizzle-orm'
import type { MemberStats } from './schema'
import { levelHeldAt } from '../loyalty/schema'

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
 * The rows the rules read at `at`: each member `m`, their statistics `s` and, when they hold a level on
 * a paid ladder, `paid` (its `member_id`). `paid` is a join rather than a subquery in the rule so that
 * an expression using it is computed once per row (a subquery inside an expression is a new subplan
 * wherever the expression is repeated) and PostgreSQL drops the join from queries that never read it.
 */
export function memberFactsFrom(at: Date): SQL {
  return sql`members m left join member_stats s on s.member_id = m.id
    left join (
      select distinct mt.member_id from member_tiers mt join tier_ladders tl on tl.id = mt.ladder_id
      where tl.basis = 'paid' and ${levelHeldAt('mt', nowSql(at))}
    ) paid on paid.member_id = m.id`
}

/** A statistics count (a missing row reads as zero). */
export function statCount(alias: string, column: string): SQL {
  return sql.raw(`coalesce(${alias}.${column}, 0)`)
}

export function statAt(alias: string, column: string): SQL {
  return sql.raw(`${alias}.${column}`)
}

/**
 * `days` days of 24 hours before `at`, as a SQL constant: the cut-off is computed here once, as the
 * JavaScript twins count days, rather than by PostgreSQL for every row (`timestamptz - interval` is not
 * folded into a constant when a statement is planned).
 */
export const daysBeforeSql = (at: Date, days: number) => nowSql(new Date(at.getTime() - days * DAY_MS))

/** `column` happened within the last `days` days of `at`, in SQL. */
export function withinDaysSql(column: SQL, at: Date, days: number): SQL {
  return sql`(${column} is not null and ${column} > ${daysBeforeSql(at, days)})`
}

/** The same judgement in JavaScript. */
export function withinDays(then: Date | null, now: Date, days: number): boolean {
  return then !== null && then.getTime() > now.getTime() - days * DAY_MS
}

export const nowSql = (at: Date) => sql`${at.toISOString()}::timestamptz`
