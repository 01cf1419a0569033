// The member's coupons, and coupons redeemable with points.
import { z } from 'zod'
import {
  listCouponTemplates,
  listMemberCoupons,
  redeemCouponWithPoints,
} from '../../../shared/coupons/service'
import { memberCouponSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpCoupons(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/coupons',
    {
      summary: '我的优惠券',
      query: z.object({ status: z.enum(['available', 'used', 'expired']).optional() }),
      response: z.array(memberCouponSchema),
    },
    ({ query }, ctx) => listMemberCoupons(deps.db, ctx.state.memberId!, deps.clock.now(), query.status),
  )

  api.get('/coupons/redeemable', { summary: '可用积分兑换的优惠券' }, async () =>
    (await listCouponTemplates(deps.db, { redeemable: true })).map((t) => ({
      templateId: t.id,
      name: t.name,
      kind: t.kind,
      amountFen: t.amountFen,
      percentOff: t.percentOff,
      thresholdFen: t.thresholdFen,
      pointsCost: t.pointsCost,
    })),
  )

  api.post(
    '/coupons/redeem',
    {
      summary: '积分兑换优惠券（requestId 由小程序生成，重试不会重复扣分）',
      body: z.object({
        templateId: z.number().int().positive(),
        requestId: z.string().regex(/^[\w-]{8,64}$/),
      }),
      status: 201,
    },
    async ({ body }, ctx) => {
      const r = await redeemCouponWithPoints(deps.db, {
        memberId: ctx.state.memberId!,
        templateId: body.templateId,
        requestId: body.requestId,
        at: deps.clock.now(),
      })
      return { couponId: r.coupon.id, duplicate: r.duplicate, validUntil: r.coupon.validUntil.toISOString() }
    },
  )
}
