// A member's points as read: the entries page by page, the open grants and what expires soon.
import { and, asc, desc, eq, gt, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { pointsEntries } from '../db/schema/loyalty'

/** Points that will expire within `days` of `at`, and the soonest date among them. */
export async function expiringPoints(db: Db, memberId: number, at: Date, days = 90) {
  const until = new Date(at.getTime() + days * 86_400_000)
  const [row] = await db
    .select({
      points: sql<number>`coalesce(sum(${pointsEntries.remaining}), 0)::int`,
      soonest: sql<Date | string | null>`min(${pointsEntries.expiresAt})`,
    })
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.memberId, memberId),
        gt(pointsEntries.remaining, 0),
        gt(pointsEntries.expiresAt, at),
        lte(pointsEntries.expiresAt, until),
      ),
    )
  const soonest = row?.soonest ? new Date(row.soonest) : null
  return { points: row?.points ?? 0, soonestAt: soonest }
}

/** A member's points entries, newest first, paged by entry id. */
export async function pointsHistory(db: Db, memberId: number, options: { before?: number; limit: number }) {
  const rows = await db
    .select()
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.memberId, memberId),
        options.before ? lt(pointsEntries.id, options.before) : undefined,
      ),
    )
    .orderBy(desc(pointsEntries.id))
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  return {
    entries: page.map((e) => ({
      id: e.id,
      kind: e.kind,
      amount: e.amount,
      reason: e.reason,
      at: e.createdAt.toISOString(),
      expiresAt: e.expiresAt?.toISOString() ?? null,
      remaining: e.remaining,
    })),
    nextBefore: rows.length > options.limit ? page[page.length - 1]!.id : null,
  }
}

/** Open grants, soonest-expiring first: what the member holds and until when. */
export async function openGrants(db: Db, memberId: number) {
  return db
    .select({
      id: pointsEntries.id,
      remaining: pointsEntries.remaining,
      expiresAt: pointsEntries.expiresAt,
      reason: pointsEntries.reason,
    })
    .from(pointsEntries)
    .where(and(eq(pointsEntries.memberId, memberId), gt(pointsEntries.remaining, 0)))
    .orderBy(sql`${pointsEntries.expiresAt} asc nulls last`, asc(pointsEntries.id))
}
