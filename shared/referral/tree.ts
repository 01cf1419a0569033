// The referral tree as operators and members see it: who a member brought (with depth), who brought
// them, and their counts, computed live from `referrals` with recursive queries.
import { and, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { notFound } from '../errors'
import { members } from '../db/schema/members'
import { ancestorIdsOf } from './attribution'
import { getReferralSettings } from './settings'

export const treeNodeSchema = z.object({
  memberId: z.number().int(),
  parentId: z.number().int(),
  depth: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  attributedAt: z.string(),
  directCount: z.number().int(),
})
export type TreeNode = z.infer<typeof treeNodeSchema>

export const referralCountsSchema = z.object({
  memberId: z.number().int(),
  directCount: z.number().int(),
  downlineCount: z.number().int(),
  /** How many members are above this one (0 = brought by nobody or by staff). */
  depth: z.number().int(),
  superCommunicator: z.boolean(),
})
export type ReferralCounts = z.infer<typeof referralCountsSchema>

async function requireMember(db: Db, memberId: number) {
  const [m] = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.id, memberId), isNull(members.mergedIntoId)))
  if (!m) throw notFound('会员', 'member_not_found')
}

/** Direct and total referrals of one member, their depth, and whether they are a super communicator. */
export async function referralCountsOf(db: Db, memberId: number): Promise<ReferralCounts> {
  await requireMember(db, memberId)
  const [row] = await queryRows<{ direct: number; total: number }>(
    db,
    sql`with recursive down(id) as (
          select referee_id from referrals where referrer_id = ${memberId}
          union all
          select r.referee_id from down join referrals r on r.referrer_id = down.id
        )
        select (select count(*) from referrals where referrer_id = ${memberId})::int as direct,
               (select count(*) from down)::int as total`,
  )
  const { superCommunicatorThreshold } = await getReferralSettings(db)
  const depth = (await ancestorIdsOf(db, memberId)).length
  return {
    memberId,
    directCount: row!.direct,
    downlineCount: row!.total,
    depth,
    superCommunicator: row!.direct >= superCommunicatorThreshold,
  }
}

/**
 * Everyone below a member down to `maxDepth` levels, in tree order (each node after its parent),
 * at most `limit` nodes; `truncated` says when more exist.
 */
export async function referralTreeOf(
  db: Db,
  memberId: number,
  options: { maxDepth?: number; limit?: number } = {},
): Promise<{ root: ReferralCounts; nodes: TreeNode[]; truncated: boolean }> {
  const maxDepth = options.maxDepth ?? 5
  const limit = options.limit ?? 500
  const root = await referralCountsOf(db, memberId)
  const rows = await queryRows<{
    member_id: number
    parent_id: number
    depth: number
    member_no: string
    name: string | null
    nickname: string | null
    attributed_at: Date | string
    direct_count: number
  }>(
    db,
    sql`with recursive down(member_id, parent_id, depth, attributed_at, path) as (
          select referee_id, referrer_id, 1, attributed_at, array[referee_id]
          from referrals where referrer_id = ${memberId}
          union all
          select r.referee_id, r.referrer_id, down.depth + 1, r.attributed_at, down.path || r.referee_id
          from down join referrals r on r.referrer_id = down.member_id
          where down.depth < ${maxDepth}
        )
        select d.member_id, d.parent_id, d.depth, m.member_no, m.name, m.nickname, d.attributed_at,
          (select count(*) from referrals c where c.referrer_id = d.member_id)::int as direct_count
        from down d join members m on m.id = d.member_id
        order by d.path
        limit ${limit + 1}`,
  )
  const truncated = rows.length > limit
  return {
    root,
    truncated,
    nodes: rows.slice(0, limit).map((r) => ({
      memberId: Number(r.member_id),
      parentId: Number(r.parent_id),
      depth: r.depth,
      memberNo: r.member_no,
      name: r.name,
      nickname: r.nickname,
      attributedAt: new Date(r.attributed_at).toISOString(),
      directCount: r.direct_count,
    })),
  }
}

export const uplineEntrySchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  level: z.number().int(),
})

/** Who brought a member, who brought them, and so on up to the root. */
export async function uplineOf(db: Db, memberId: number) {
  await requireMember(db, memberId)
  const ids = await ancestorIdsOf(db, memberId)
  if (ids.length === 0) return []
  const rows = await db
    .select({ id: members.id, memberNo: members.memberNo, name: members.name })
    .from(members)
    .where(sql`${members.id} in (${sql.join(ids, sql`, `)})`)
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id, i) => ({
    memberId: id,
    memberNo: byId.get(id)?.memberNo ?? '',
    name: byId.get(id)?.name ?? null,
    level: i + 1,
  }))
}
