// A member's points as read: the entries page by page, the open grants and what expires soon.
import { and, asc, desc, eq, gt, lt, lte, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
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

/**
 * Points lapsing within `days` of `at`, per member (most first), with the totals: who to remind to
 * spend their points before they go.
 */
export async function expiringSoon(
  db: Db,
  at: Date,
  options: { days: number; limit: number; offset: number },
) {
  const until = new Date(at.getTime() + options.days * 86_400_000)
  const list = await queryRows<{
    member_id: number
    member_no: string
    name: string | null
    points: number
    soonest_at: Date | string
    total_members: number
    total_points: number
  }>(
    db,
    sql`
    with due as (
      select member_id, sum(remaining)::int as points, min(expires_at) as soonest_at
      from points_entries
      where remaining > 0 and expires_at > ${at.toISOString()}::timestamptz
        and expires_at <= ${until.toISOString()}::timestamptz
      group by member_id
    )
    select d.member_id, m.member_no, m.name, d.points, d.soonest_at,
      count(*) over ()::int as total_members, sum(d.points) over ()::int as total_points
    from due d join members m on m.id = d.member_id
    order by d.points desc, d.member_id
    limit ${options.limit} offset ${options.offset}`,
  )
  const totals = list[0]
    ? { members: Number(list[0].total_members), points: Number(list[0].total_points) }
    : await expiringTotals(db, at, until)
  return {
    until: until.toISOString(),
    ...totals,
    items: list.map((r) => ({
      memberId: Number(r.member_id),
      memberNo: r.member_no,
      name: r.name,
      points: Number(r.points),
      soonestAt: new Date(r.soonest_at).toISOString(),
    })),
  }
}

async function expiringTotals(db: Db, at: Date, until: Date) {
  const [row] = await db
    .select({
      members: sql<number>`count(distinct ${pointsEntries.memberId})::int`,
      points: sql<number>`coalesce(sum(${pointsEntries.remaining}), 0)::int`,
    })
    .from(pointsEntries)
    .where(
      and(
        gt(pointsEntries.remaining, 0),
        gt(pointsEntries.expiresAt, at),
        lte(pointsEntries.expiresAt, until),
      ),
    )
  return { members: row?.members ?? 0, points: row?.points ?? 0 }
}
