// What the rules of the members domain read about one member: their statistics (see stats.ts) as plain
// data, so every rule is a pure function testable with a plain object, and the same rule compiles to
// SQL over the `member_stats` row for set-based passes.
import { asc, eq, sql, type SQL } from 'drizzle-orm'
import type { MemberStats } from '../db/schema/members'
import type { Db } from '../db/client'
import { levelHeldAt, tierLadders } from '../db/schema/loyalty'

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

/** The moment the rules' SQL judges at, and the paid ladders (whose levels a member may hold). */
export interface FactsScope {
  at: Date
  paidLadderIds: number[]
}

/** The ladders a member pays to join (usually one). */
export async function loadPaidLadderIds(db: Db): Promise<number[]> {
  const rows = await db
    .select({ id: tierLadders.id })
    .from(tierLadders)
    .where(eq(tierLadders.basis, 'paid'))
    .orderBy(asc(tierLadders.id))
  return rows.map((r) => r.id)
}

const paidAliasName = (i: number) => `paid_${i}`
const paidAlias = (i: number) => sql.identifier(paidAliasName(i))

/**
 * The rows the rules read: each member `m`, their statistics `s` and, per paid ladder, the level they
 * hold on it now (`paid_0`, … — see holdsPaidLevelSql). Each paid ladder is its own join on the unique
 * (member, ladder) key rather than a subquery in the rule: a subquery inside an expression becomes a new
 * subplan wherever the expression is repeated, a set of paid members would be built by every worker of
 * a parallel scan, while a join on a unique key is shared by the workers and dropped by PostgreSQL from
 * queries that never read it.
 */
export function memberFactsFrom(scope: FactsScope): SQL {
  const paid = scope.paidLadderIds.map(
    (id, i) => sql`left join member_tiers ${paidAlias(i)} on ${paidAlias(i)}.member_id = m.id
      and ${paidAlias(i)}.ladder_id = ${id} and ${levelHeldAt(paidAliasName(i), nowSql(scope.at))}`,
  )
  return sql`members m left join member_stats s on s.member_id = m.id ${sql.join(paid, sql` `)}`
}

/** Whether the member holds a level on a paid ladder now, over memberFactsFrom. */
export function holdsPaidLevelSql(scope: FactsScope): SQL {
  if (scope.paidLadderIds.length === 0) return sql`false`
  return sql`(${sql.join(
    scope.paidLadderIds.map((_, i) => sql`${paidAlias(i)}.member_id is not null`),
    sql` or `,
  )})`
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
