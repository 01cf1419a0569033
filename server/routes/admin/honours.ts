// Operator API for honours: the most-active leaderboard over any period, and awarding a title (with
// optional bonus points) to the top members of a period, once.
import { z } from 'zod'
import {
  awardHonours,
  awardInputSchema,
  leaderboardQuerySchema,
  mostActiveMembers,
} from '../../../shared/points/honours'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const activeMemberSchema = z.object({
  rank: z.number(),
  memberId: z.number(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  score: z.number(),
  counts: z.record(z.string(), z.number()),
})

export function registerAdminHonours(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/honours/leaderboard',
    {
      summary: '最活跃会员排行（按行为加权：推荐、下单、分享、反馈、签到、聊天）',
      query: leaderboardQuerySchema,
      response: z.array(activeMemberSchema),
    },
    ({ query }) => mostActiveMembers(deps.db, query),
  )

  api.post(
    '/honours/awards',
    {
      summary: '评选荣誉：为某一时期排名前列的会员授予称号（可附赠积分），同一时期只评一次',
      body: awardInputSchema.refine((b) => b.from < b.to, {
        message: '开始时间必须早于结束时间',
        path: ['to'],
      }),
      status: 201,
    },
    ({ body }) => awardHonours(deps.db, body, deps.clock.now()),
  )
}
