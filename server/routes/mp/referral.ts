// The member's side of referral: my code (and its mini-program code), claiming the code I arrived
// with, and who I brought.
import { and, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { attributeNewMember } from '../../../shared/referral/attribution'
import { shareCodeOf, shareTargetsOf } from '../../../shared/referral/share-codes'
import { referralCountsOf, referralCountsSchema } from '../../../shared/referral/tree'
import { referrals, touchOutcomes } from '../../../shared/db/schema/referral'
import { members } from '../../../shared/db/schema/members'
import { operators } from '../../../shared/db/schema/auth'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { sendShareCodeImage, shareTargetSchema } from '../admin/referrals-access'

/** Only a nickname and an initial: members see whom they brought, not their friends' profiles. */
function shortName(nickname: string | null, name: string | null): string {
  if (nickname) return nickname
  if (name) return `${name.slice(0, 1)}**`
  return '微信用户'
}

export function registerMpReferral(api: ApiRouter, deps: AppDeps): void {
  api.get('/referral/code', { summary: '我的推荐码', response: shareTargetSchema }, async (_input, ctx) =>
    shareTargetsOf((await shareCodeOf(deps.db, { memberId: ctx.state.memberId! })).code),
  )

  api.get(
    '/referral/code/image',
    { summary: '我的推荐小程序码（图片）', produces: 'image/png' },
    async (_input, ctx) =>
      sendShareCodeImage(deps, ctx, (await shareCodeOf(deps.db, { memberId: ctx.state.memberId! })).code),
  )

  api.post(
    '/referral/claim',
    {
      summary: '登录后提交进入小程序时带的推荐码（scene 或分享链接 ref）',
      description: '新会员在推荐窗口内首次提交时记为被推荐；其余情况返回原因，不报错。',
      body: z.object({ code: z.string().trim().min(1, '请提供推荐码').max(64) }).strict(),
      response: z.object({
        outcome: z.enum(touchOutcomes),
        attributed: z.boolean(),
        message: z.string(),
        referrerName: z.string().nullable(),
      }),
    },
    async ({ body }, ctx) => {
      const r = await attributeNewMember(deps.db, {
        refereeId: ctx.state.memberId!,
        code: body.code,
        at: deps.clock.now(),
      })
      let referrerName: string | null = null
      if (r.outcome === 'attributed' && r.sharer.memberId !== null) {
        const [m] = await deps.db
          .select({ name: members.name, nickname: members.nickname })
          .from(members)
          .where(eq(members.id, r.sharer.memberId))
        referrerName = m ? shortName(m.nickname, m.name) : null
      } else if (r.outcome === 'attributed' && r.sharer.operatorId !== null) {
        const [o] = await deps.db
          .select({ name: operators.displayName })
          .from(operators)
          .where(eq(operators.id, r.sharer.operatorId))
        referrerName = o?.name ?? null
      }
      return { outcome: r.outcome, attributed: r.outcome === 'attributed', message: r.message, referrerName }
    },
  )

  api.get(
    '/referral/mine',
    {
      summary: '我推荐的好友',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({
        counts: referralCountsSchema,
        friends: z.array(
          z.object({ displayName: z.string(), avatarUrl: z.string().nullable(), joinedAt: z.string() }),
        ),
      }),
    },
    async ({ query }, ctx) => {
      const memberId = ctx.state.memberId!
      const rows = await deps.db
        .select({
          name: members.name,
          nickname: members.nickname,
          avatarUrl: members.avatarUrl,
          at: referrals.attributedAt,
        })
        .from(referrals)
        .innerJoin(members, eq(members.id, referrals.refereeId))
        .where(and(eq(referrals.referrerId, memberId)))
        .orderBy(desc(referrals.attributedAt), desc(referrals.id))
        .limit(query.limit)
        .offset(query.offset)
      return {
        counts: await referralCountsOf(deps.db, memberId),
        friends: rows.map((r) => ({
          displayName: shortName(r.nickname, r.name),
          avatarUrl: r.avatarUrl,
          joinedAt: r.at.toISOString(),
        })),
      }
    },
  )
}
