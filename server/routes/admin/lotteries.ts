// Operators' lotteries: set up, grant earned draws, audit every draw.
import { z } from 'zod'
import {
  createLottery,
  grantLotteryDraws,
  listLotteries,
  lotteryAudit,
  lotteryInputSchema,
} from '../../../shared/lottery/service'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminLotteries(api: ApiRouter, deps: AppDeps): void {
  api.get('/lotteries', { summary: '抽奖活动' }, () => listLotteries(deps.db))
  api.post(
    '/lotteries',
    {
      summary: '新建抽奖（奖品、数量、中奖权重、兜底奖品、抽奖次数与积分价格）',
      description:
        '中奖概率 = 奖品权重 ÷ 全部权重之和；奖品抽完后，抽中它的人得到兜底奖品，其他奖品概率不变。',
      body: lotteryInputSchema,
      status: 201,
    },
    ({ body }) => createLottery(deps.db, body),
  )
  api.post(
    '/lotteries/:id/draw-grants',
    {
      summary: '赠送抽奖次数（任务、订单奖励；同一 sourceKey 只赠送一次）',
      params: idParams,
      body: z.object({
        memberId: z.number().int().positive(),
        draws: z.number().int().min(1).max(100),
        sourceKey: z.string().trim().min(3).max(100),
        reason: z.string().trim().min(1).max(60),
      }),
      status: 201,
    },
    ({ params, body }) => grantLotteryDraws(deps.db, { ...body, lotteryId: params.id, at: deps.clock.now() }),
  )
  api.get(
    '/lotteries/:id/audit',
    {
      summary: '抽奖审计：每个奖品已发数量，每次抽奖的随机数、范围与来源',
      params: idParams,
      query: z.object({
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    ({ params, query }) => lotteryAudit(deps.db, params.id, query.page, query.pageSize),
  )
}
