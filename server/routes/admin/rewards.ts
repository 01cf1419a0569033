// Operator API for the redemption catalogue: rewards (vouchers, gifts with stock, privileges), the
// redemptions made, cancelling one (points and stock restored) and marking one used.
import { z } from 'zod'
import {
  cancelRedemption,
  createReward,
  fulfilRedemption,
  listRedemptions,
  listRewards,
  rewardInputSchema,
  rewardPatchSchema,
  updateReward,
} from '../../../shared/rewards/catalogue'
import { rewardKinds } from '../../../shared/db/schema/loyalty'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const rewardSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(rewardKinds),
  description: z.string().nullable(),
  imageUrl: z.string().nullable(),
  pointsCost: z.number().int(),
  /** Units left; null: unlimited. */
  stock: z.number().int().nullable(),
  perMemberLimit: z.number().int().nullable(),
  args: z.record(z.string(), z.unknown()),
  active: z.boolean(),
  sort: z.number().int(),
  createdAt: z.string(),
})

const redemptionSchema = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  rewardId: z.number().int(),
  requestId: z.string(),
  points: z.number().int(),
  status: z.enum(['issued', 'fulfilled', 'cancelled']),
  voucherCode: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  fulfilledAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
})

export function registerAdminRewards(api: ApiRouter, deps: AppDeps): void {
  api.get('/rewards', { summary: '积分兑换商品（含库存）', response: z.array(rewardSchema) }, () =>
    listRewards(deps.db),
  )

  api.post(
    '/rewards',
    {
      summary: '新建兑换品：优惠券、实物礼品（有库存）、特权',
      body: rewardInputSchema,
      status: 201,
      response: rewardSchema,
    },
    ({ body }) => createReward(deps.db, body),
  )

  api.patch(
    '/rewards/:id',
    {
      summary: '修改兑换品（积分、库存、上下架）',
      params: idParams,
      body: rewardPatchSchema.strict(),
      response: rewardSchema,
    },
    ({ params, body }) => updateReward(deps.db, params.id, body),
  )

  api.get(
    '/rewards/redemptions',
    {
      summary: '兑换记录',
      query: z.object({
        memberId: z.coerce.number().int().positive().optional(),
        rewardId: z.coerce.number().int().positive().optional(),
        status: z.enum(['issued', 'fulfilled', 'cancelled']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: z.array(
        z.object({
          redemption: redemptionSchema,
          reward: z.object({ code: z.string(), name: z.string(), kind: z.enum(rewardKinds) }),
        }),
      ),
    },
    ({ query }) => listRedemptions(deps.db, query),
  )

  api.post(
    '/rewards/redemptions/:id/cancel',
    {
      summary: '取消兑换：退回积分、恢复库存',
      params: idParams,
      body: z.object({ reason: z.string().trim().min(1, '请填写取消原因').max(100) }),
    },
    ({ params, body }) => cancelRedemption(deps.db, params.id, body.reason, deps.clock.now()),
  )

  api.post(
    '/rewards/redemptions/:id/fulfil',
    { summary: '标记兑换已交付（礼品已发出或到店领取、特权已使用）', params: idParams },
    ({ params }) => fulfilRedemption(deps.db, { id: params.id }, deps.clock.now()),
  )

  api.post(
    '/rewards/vouchers/:code/fulfil',
    {
      summary: '核销积分兑换的优惠券码',
      params: z.object({ code: z.string().regex(/^V[A-Z2-9]{10}$/, '券码格式不正确') }),
    },
    ({ params }) => fulfilRedemption(deps.db, { voucherCode: params.code }, deps.clock.now()),
  )
}
