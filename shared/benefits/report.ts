// The report of benefit use: for every benefit, its quota per period (by default and as each level
// grants it), how many times it was used in a date range, by how many members, and how many of those
// uses were a friend's; and the last uses of one benefit, member by member.
import { asc, desc, eq, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import { benefits, benefitUsages, tierLadders, tierLevels } from '../db/schema/loyalty'
import { members } from '../db/schema/members'

export async function benefitUseReport(db: Db, range: { from: Date; to: Date }) {
  const list = await db.select().from(benefits).orderBy(asc(benefits.id))
  const levels = await db
    .select({
      ladder: tierLadders.name,
      level: tierLevels.name,
      rank: tierLevels.rank,
      benefits: tierLevels.benefits,
    })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .orderBy(asc(tierLadders.id), asc(tierLevels.rank))
  const uses = await queryRows<{ benefit_id: number; uses: number; members: number; friend_uses: number }>(
    db,
    sql`select benefit_id, count(*)::int as uses, count(distinct member_id)::int as members,
        count(friend_member_id)::int as friend_uses
      from benefit_usages
      where used_at >= ${range.from.toISOString()}::timestamptz and used_at < ${range.to.toISOString()}::timestamptz
      group by benefit_id`,
  )
  const byBenefit = new Map(uses.map((u) => [Number(u.benefit_id), u]))
  return list.map((b) => {
    const args = b.args as { period?: string; defaultQuota?: number }
    const used = byBenefit.get(b.id)
    return {
      id: b.id,
      code: b.code,
      name: b.name,
      kind: b.kind,
      description: b.description,
      period: args.period ?? null,
      defaultQuota: args.defaultQuota ?? null,
      levels: levels.flatMap((l) =>
        l.benefits
          .filter((x) => x.code === b.code)
          .map((x) => ({ ladder: l.ladder, level: l.level, quota: x.quota ?? args.defaultQuota ?? null })),
      ),
      uses: Number(used?.uses ?? 0),
      members: Number(used?.members ?? 0),
      friendUses: Number(used?.friend_uses ?? 0),
    }
  })
}

/** The latest uses of one benefit (newest first), with the member who used it. */
export async function benefitUses(db: Db, benefitId: number, page: { limit: number; offset: number }) {
  const rows = await db
    .select({
      id: benefitUsages.id,
      memberId: benefitUsages.memberId,
      memberNo: members.memberNo,
      name: members.name,
      periodKey: benefitUsages.periodKey,
      friendMemberId: benefitUsages.friendMemberId,
      note: benefitUsages.note,
      usedAt: benefitUsages.usedAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(benefitUsages)
    .innerJoin(members, eq(members.id, benefitUsages.memberId))
    .where(eq(benefitUsages.benefitId, benefitId))
    .orderBy(desc(benefitUsages.usedAt), desc(benefitUsages.id))
    .limit(page.limit)
    .offset(page.offset)
  return {
    total: rows[0] ? Number(rows[0].total) : 0,
    items: rows.map(({ total: _total, usedAt, ...r }) => ({ ...r, usedAt: usedAt.toISOString() })),
  }
}
