// Advocates: what each is worth (margin, not only revenue), the leaderboard, and the members to ask.
import { z } from 'zod'
import {
  advocateLeaderboard,
  advocateSorts,
  advocateValueSchema,
  advocateValues,
} from '../../../shared/referral/advocates'
import { recordReferralAsk, referralAskList, referralAskSchema } from '../../../shared/referral/asks'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { dayAfter, paging, shanghaiDay } from './referrals-access'

const period = { from: shanghaiDay.optional(), to: shanghaiDay.optional() }

export function registerAdminAdvocates(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/advocates',
    {
      summary: '推荐人价值：线索、推荐、订单、收入、毛利、佣金与关系回报',
      description: '日期为上海时间，含首尾两天；只计期间内的推荐及其带来客户在期间内的订单。',
      query: z.object({
        ...period,
        sort: z.enum(advocateSorts).default('margin'),
        kind: z.enum(['member', 'staff']).optional(),
        advocateId: z.coerce.number().int().positive().optional(),
        ...paging,
      }),
      response: z.object({ items: z.array(advocateValueSchema) }),
    },
    async ({ query }) => ({
      items: await advocateValues(deps.db, {
        from: query.from,
        to: query.to ? dayAfter(query.to) : undefined,
        sort: query.sort,
        advocate: query.kind && query.advocateId ? { kind: query.kind, id: query.advocateId } : undefined,
        limit: query.limit,
        offset: query.offset,
      }),
    }),
  )

  api.get(
    '/advocates/leaderboard',
    {
      summary: '推荐达人排行榜',
      query: z.object({
        ...period,
        by: z.enum(advocateSorts).default('referrals'),
        limit: z.coerce.number().int().min(1).max(100).default(10),
      }),
      response: z.object({ items: z.array(advocateValueSchema.extend({ rank: z.number().int() })) }),
    },
    async ({ query }) => ({
      items: await advocateLeaderboard(deps.db, {
        from: query.from,
        to: query.to ? dayAfter(query.to) : undefined,
        by: query.by,
        limit: query.limit,
      }),
    }),
  )

  api.get(
    '/advocates/asks',
    {
      summary: '待邀请推荐的满意会员（评分 9–10、从未推荐、未被邀请过）',
      query: z.object({ advisorAccountId: z.coerce.number().int().positive().optional(), ...paging }),
      response: z.object({ items: z.array(referralAskSchema) }),
    },
    async ({ query }) => ({ items: await referralAskList(deps.db, deps.clock.now(), query) }),
  )

  api.post(
    '/advocates/asks',
    {
      summary: '记录已邀请会员推荐',
      body: z
        .object({
          memberId: z.number().int().positive(),
          channel: z.enum(['chat', 'campaign', 'store', 'other']).default('chat'),
          note: z.string().trim().max(200).optional(),
        })
        .strict(),
      status: 201,
      response: z.object({ id: z.number().int(), memberId: z.number().int(), askedAt: z.string() }),
    },
    async ({ body }, ctx) => {
      const ask = await recordReferralAsk(deps.db, {
        ...body,
        operatorId: ctx.state.operator!.id,
        at: deps.clock.now(),
      })
      return { id: ask.id, memberId: ask.memberId, askedAt: ask.askedAt.toISOString() }
    },
  )
}
