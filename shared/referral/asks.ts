// Ask the customers who would recommend us but never have: members whose latest survey answer is
// 9–10, who have never brought anyone, and whom nobody has asked yet. Each becomes a task for their
// advisor (the personal account that serves them), or an audience for a referral-ask campaign.
import { and, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { notFound } from '../errors'
import { members } from '../db/schema/members'
import { advocacyAsks } from '../db/schema/referral'

export const referralAskSchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  advisorAccountId: z.number().int().nullable(),
  score: z.number().int(),
  answeredAt: z.string(),
  /** Replied 退订: ask 1:1 only, never through a campaign. */
  optedOut: z.boolean(),
})
export type ReferralAsk = z.infer<typeof referralAskSchema>

/** Everyone to ask for a referral at `at`, highest score and most recent answer first. */
export async function referralAskList(
  db: Db,
  at: Date,
  options: { advisorAccountId?: number; limit?: number; offset?: number } = {},
): Promise<ReferralAsk[]> {
  const advisor = options.advisorAccountId ?? null
  const rows = await queryRows<{
    member_id: number
    member_no: string
    name: string | null
    nickname: string | null
    advisor_account_id: number | null
    score: number
    answered_at: Date | string
    opted_out: boolean
  }>(
    db,
    sql`select m.id as member_id, m.member_no, m.name, m.nickname, m.advisor_account_id,
          s.score, s.answered_at, m.opted_out_at is not null as opted_out
        from members m
        join lateral (
          select score, answered_at from survey_responses
          where member_id = m.id and answered_at <= ${at.toISOString()}::timestamptz
          order by answered_at desc, id desc limit 1
        ) s on true
        where m.merged_into_id is null
          and s.score >= 9
          and not exists (select 1 from referrals r where r.referrer_id = m.id)
          and not exists (select 1 from advocacy_asks a where a.member_id = m.id)
          and (${advisor}::bigint is null or m.advisor_account_id = ${advisor}::bigint)
        order by s.score desc, s.answered_at desc, m.id
        limit ${options.limit ?? 500} offset ${options.offset ?? 0}`,
  )
  return rows.map((r) => ({
    memberId: Number(r.member_id),
    memberNo: r.member_no,
    name: r.name,
    nickname: r.nickname,
    advisorAccountId: r.advisor_account_id === null ? null : Number(r.advisor_account_id),
    score: r.score,
    answeredAt: new Date(r.answered_at).toISOString(),
    optedOut: r.opted_out,
  }))
}

/** Record that a member was asked for a referral (by their advisor, a campaign or at the store). */
export async function recordReferralAsk(
  db: Db,
  input: {
    memberId: number
    channel: 'chat' | 'campaign' | 'store' | 'other'
    at: Date
    operatorId?: number
    note?: string
  },
) {
  const [member] = await db
    .select({ id: members.id, advisorAccountId: members.advisorAccountId })
    .from(members)
    .where(and(eq(members.id, input.memberId), isNull(members.mergedIntoId)))
  if (!member) throw notFound('会员', 'member_not_found')
  const [row] = await db
    .insert(advocacyAsks)
    .values({
      memberId: member.id,
      advisorAccountId: member.advisorAccountId,
      operatorId: input.operatorId ?? null,
      channel: input.channel,
      note: input.note ?? null,
      askedAt: input.at,
    })
    .returning()
  return row!
}
