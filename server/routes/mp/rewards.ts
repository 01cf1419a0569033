// The redemption catalogue in the mini-program, redeeming (idempotent per client request id) and the
// member's own redemptions.
import { z } from 'zod'
import { memberCatalogue, memberRedemptions, redeemReward } from '../../../shared/rewards/catalogue'
import { redemptionRecordSchema, rewardCatalogueSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpRewards(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/rewards',
    { summary: '积分商城：可兑换的优惠券、礼品与特权', response: rewardCatalogueSchema },
    (_input, ctx) => memberCatalogue(deps.db, ctx.state.memberId!, deps.clock.now()),
  )

  api.post(
    '/rewards/:id/redeem',
    {
      summary: '积分兑换：积分与库存同时扣减；同一 requestId 重复提交只兑换一次',
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: z.object({ requestId: z.string().trim().min(8, '请求编号至少 8 位').max(64) }),
      response: z.object({
        redemptionId: z.number(),
        reward: z.string(),
        points: z.number(),
        voucherCode: z.string().nullable(),
        expiresAt: z.string().nullable(),
        balance: z.number(),
        duplicate: z.boolean(),
      }),
      status: 201,
    },
    async ({ params, body }, ctx) => {
      const r = await redeemReward(
        deps.db,
        { memberId: ctx.state.memberId!, rewardId: params.id, requestId: body.requestId },
        deps.clock.now(),
      )
      return {
        redemptionId: r.redemption.id,
        reward: r.reward.name,
        points: r.redemption.points,
        voucherCode: r.redemption.voucherCode,
        expiresAt: r.redemption.expiresAt?.toISOString() ?? null,
        balance: r.balance,
        duplicate: r.duplicate,
      }
    },
  )

  api.get(
    '/redemptions',
    { summary: '我的兑换记录', response: z.array(redemptionRecordSchema) },
    (_input, ctx) => memberRedemptions(deps.db, ctx.state.memberId!),
  )
}
