// Honours: the most active members over a period, scored from the member event stream (buying,
// bringing friends, sharing, giving feedback, checking in, chatting), and awards that record a title
// (and optionally bonus points) for the top of the list, once per period.
import { and, desc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { DomainError } from '../errors'
import type { MemberEventType } from '../db/schema/members'
import { memberHonours } from '../db/schema/loyalty'
import { grantPoints } from './ledger'
import { grantExpiry, loadPointsPolicy } from './policy'

/** How much each kind of activity counts: bringing a friend counts most, a chat message least. */
export const defaultActivityWeights: Partial<Record<MemberEventType, number>> = {
  referral: 10,
  order_paid: 5,
  share: 3,
  feedback: 2,
  survey_answered: 2,
  store_visit: 2,
  check_in: 1,
  chat_message: 1,
  group_joined: 1,
}

export interface ActiveMember {
  rank: number
  memberId: number
  memberNo: string
  name: string | null
  nickname: string | null
  score: number
  counts: Record<string, number>
}

export const leaderboardQuerySchema = z
  .object({
    from: z.coerce.date(),
    to: z.coerce.date(),
    limit: z.coerce.number().int().min(1).max(500).default(20),
  })
  .refine((q) => q.from < q.to, { message: '开始时间必须早于结束时间', path: ['to'] })

/** The most active members in [from, to), best first (ties: the earlier member first). */
export async function mostActiveMembers(
  db: Db,
  input: { from: Date; to: Date; limit: number; weights?: Partial<Record<MemberEventType, number>> },
): Promise<ActiveMember[]> {
  const weights = Object.entries(input.weights ?? defaultActivityWeights).filter(([, w]) => (w ?? 0) > 0)
  if (weights.length === 0) return []
  const values = sql.join(
    weights.map(([type, w]) => sql`(${type}::text, ${w}::int)`),
    sql`, `,
  )
  const rows = await queryRows<{
    member_id: number
    member_no: string
    name: string | null
    nickname: string | null
    score: number
    counts: Record<string, number>
  }>(
    db,
    sql`with w(type, weight) as (values ${values}),
        s as (
          select e.member_id, e.type, count(*)::int as n
          from member_events e join w on w.type = e.type
          where e.occurred_at >= ${input.from.toISOString()}::timestamptz and e.occurred_at < ${input.to.toISOString()}::timestamptz
          group by e.member_id, e.type
        )
        select s.member_id, m.member_no, m.name, m.nickname, sum(s.n * w.weight)::int as score,
               jsonb_object_agg(s.type, s.n) as counts
        from s join w on w.type = s.type
        join members m on m.id = s.member_id and m.merged_into_id is null
        group by s.member_id, m.member_no, m.name, m.nickname
        order by score desc, s.member_id
        limit ${input.limit}`,
  )
  return rows.map((r, i) => ({
    rank: i + 1,
    memberId: r.member_id,
    memberNo: r.member_no,
    name: r.name,
    nickname: r.nickname,
    score: r.score,
    counts: r.counts,
  }))
}

export const awardInputSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/),
  title: z.string().trim().min(1).max(40),
  periodKey: z.string().trim().min(1).max(32),
  from: z.coerce.date(),
  to: z.coerce.date(),
  top: z.number().int().min(1).max(500),
  bonusPoints: z.number().int().min(0).max(1_000_000).default(0),
})
export type AwardInput = z.infer<typeof awardInputSchema>

/** Award a title to the top members of a period, once: a second award of the same period changes nothing. */
export async function awardHonours(db: Db, input: AwardInput, at: Date) {
  const [already] = await db
    .select({ id: memberHonours.id })
    .from(memberHonours)
    .where(and(eq(memberHonours.code, input.code), eq(memberHonours.periodKey, input.periodKey)))
    .limit(1)
  if (already)
    throw new DomainError('honour_already_awarded', `「${input.title}」${input.periodKey} 已评选过`, 409)
  const top = await mostActiveMembers(db, { from: input.from, to: input.to, limit: input.top })
  const policy = await loadPointsPolicy(db)
  return db.transaction(async (tx) => {
    const awarded = []
    for (const m of top) {
      const [row] = await tx
        .insert(memberHonours)
        .values({
          memberId: m.memberId,
          code: input.code,
          title: input.title,
          periodKey: input.periodKey,
          rank: m.rank,
          score: m.score,
          bonusPoints: input.bonusPoints,
          createdAt: at,
        })
        .onConflictDoNothing()
        .returning()
      if (!row) continue
      if (input.bonusPoints > 0)
        await grantPoints(tx, {
          memberId: m.memberId,
          amount: input.bonusPoints,
          sourceKey: `honour:${input.code}:${input.periodKey}:${m.memberId}`,
          reason: `荣誉奖励：${input.title}（${input.periodKey}）`,
          at,
          expiresAt: grantExpiry(policy, at),
        })
      awarded.push({ ...m, title: input.title })
    }
    return awarded
  })
}

export async function honoursOf(db: Db, memberId: number) {
  return db
    .select({
      code: memberHonours.code,
      title: memberHonours.title,
      periodKey: memberHonours.periodKey,
      rank: memberHonours.rank,
    })
    .from(memberHonours)
    .where(eq(memberHonours.memberId, memberId))
    .orderBy(desc(memberHonours.createdAt))
}
