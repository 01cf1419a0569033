// Operators' coupons: templates, and issuing them to members.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import {
  couponTemplateInputSchema,
  createCouponTemplate,
  issueCoupon,
  listCouponTemplates,
  setCouponTemplateStatus,
} from '../../../shared/coupons/service'
import { couponKinds, couponScopes } from '../../../shared/db/schema/coupons'
import { DomainError } from '../../../shared/errors'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const couponTemplateSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.enum(couponKinds),
  amountFen: z.number().int(),
  percentOff: z.number().int(),
  thresholdFen: z.number().int(),
  maxDiscountFen: z.number().int().nullable(),
  scope: z.enum(couponScopes),
  scopeIds: z.array(z.number().int()),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  validDays: z.number().int().nullable(),
  totalQuantity: z.number().int().nullable(),
  issuedCount: z.number().int(),
  perMemberLimit: z.number().int(),
  pointsCost: z.number().int().nullable(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
})

export function registerAdminCoupons(api: ApiRouter, deps: AppDeps): void {
  api.get('/coupon-templates', { summary: '优惠券模板', response: z.array(couponTemplateSchema) }, () =>
    listCouponTemplates(deps.db),
  )
  api.post(
    '/coupon-templates',
    { summary: '新建优惠券模板', body: couponTemplateInputSchema, status: 201 },
    ({ body }) => createCouponTemplate(deps.db, body),
  )
  api.patch(
    '/coupon-templates/:id',
    {
      summary: '启用或停用优惠券模板',
      params: idParams,
      body: z.object({ status: z.enum(['active', 'disabled']) }),
    },
    ({ params, body }) => setCouponTemplateStatus(deps.db, params.id, body.status),
  )
  api.post(
    '/coupon-templates/:id/issue',
    {
      summary: '向会员发放优惠券（batchId 相同的重试不会重复发放）',
      params: idParams,
      body: z.object({
        memberIds: z.array(z.number().int().positive()).min(1).max(1000),
        batchId: z
          .string()
          .regex(/^[\w-]{4,64}$/)
          .optional(),
      }),
      response: z.object({
        batchId: z.string(),
        /** Coupons issued now (a retried batch issues none again). */
        issued: z.number().int(),
        /** Members who could not get one, with the reason (limit reached, template used up…). */
        refused: z.array(z.object({ memberId: z.number().int(), code: z.string(), message: z.string() })),
      }),
    },
    async ({ params, body }, ctx) => {
      const batch = body.batchId ?? randomUUID()
      const issued: number[] = []
      const refused: { memberId: number; code: string; message: string }[] = []
      for (const memberId of body.memberIds) {
        try {
          const r = await issueCoupon(deps.db, {
            templateId: params.id,
            memberId,
            sourceKey: `operator:${ctx.state.operator!.id}:${batch}:${memberId}`,
            source: 'operator',
            at: deps.clock.now(),
          })
          issued.push(r.coupon.id)
        } catch (err) {
          if (!(err instanceof DomainError)) throw err
          refused.push({ memberId, code: err.code, message: err.message })
        }
      }
      return { batchId: batch, issued: issued.length, refused }
    },
  )
}
