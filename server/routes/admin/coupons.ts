// Operators' coupons: templates, and issuing them to members.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../../shared/db/client'
import { segmentMemberIds } from '../../../shared/segments/filter'
import { getSavedSegment } from '../../../shared/segments/saved'
import {
  couponTemplateInputSchema,
  couponUsage,
  couponUsageSchema,
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

/** The most members one issue reaches: a larger segment is refused, to be narrowed or sent as a campaign. */
const MAX_ISSUE = 5000

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
    {
      summary: '新建优惠券模板',
      body: couponTemplateInputSchema,
      status: 201,
      response: couponTemplateSchema,
    },
    ({ body }) => createCouponTemplate(deps.db, body),
  )
  api.patch(
    '/coupon-templates/:id',
    {
      summary: '启用或停用优惠券模板',
      params: idParams,
      body: z.object({ status: z.enum(['active', 'disabled']) }),
      response: couponTemplateSchema,
    },
    ({ params, body }) => setCouponTemplateStatus(deps.db, params.id, body.status),
  )
  api.post(
    '/coupon-templates/:id/issue',
    {
      summary: '向会员或已保存的分群发放优惠券（batchId 相同的重试不会重复发放）',
      description: `memberIds 与 segmentId 二选一；分群按发放时的条件取会员，最多 ${MAX_ISSUE} 人。`,
      params: idParams,
      body: z
        .object({
          memberIds: z.array(z.number().int().positive()).min(1).max(1000).optional(),
          segmentId: z.number().int().positive().optional(),
          batchId: z
            .string()
            .regex(/^[\w-]{4,64}$/)
            .optional(),
        })
        .superRefine((b, ctx) => {
          if ((b.memberIds === undefined) === (b.segmentId === undefined))
            ctx.addIssue({ code: 'custom', path: ['segmentId'], message: '请选择分群或会员' })
        }),
      response: z.object({
        batchId: z.string(),
        /** Members the issue was for (the segment's size when issued to a segment). */
        members: z.number().int(),
        /** Coupons issued now (a retried batch issues none again). */
        issued: z.number().int(),
        /** Members who could not get one, with the reason (limit reached, template used up…). */
        refused: z.array(z.object({ memberId: z.number().int(), code: z.string(), message: z.string() })),
      }),
    },
    async ({ params, body }, ctx) => {
      const batch = body.batchId ?? randomUUID()
      let memberIds = body.memberIds ?? []
      if (body.segmentId !== undefined) {
        const segment = await getSavedSegment(deps.db, body.segmentId).catch((err: unknown) => {
          if (err instanceof DomainError && err.status === 404)
            throw new DomainError('segment_not_found', '分群不存在', 400, [
              { path: 'body.segmentId', message: '分群不存在' },
            ])
          throw err
        })
        const ids = await segmentMemberIds(deps.db, segment.filter, deps.clock.now())
        const rows = await queryRows<{ id: number }>(
          deps.db,
          sql`select id from (${ids}) s order by id limit ${MAX_ISSUE + 1}`,
        )
        if (rows.length > MAX_ISSUE)
          throw new DomainError(
            'segment_too_large',
            `分群超过 ${MAX_ISSUE} 人，请缩小范围或用营销活动发放`,
            400,
            [{ path: 'body.segmentId', message: `分群超过 ${MAX_ISSUE} 人` }],
          )
        if (rows.length === 0)
          throw new DomainError('segment_empty', '分群当前没有会员', 400, [
            { path: 'body.segmentId', message: '分群当前没有会员' },
          ])
        memberIds = rows.map((r) => Number(r.id))
      }
      const issued: number[] = []
      const refused: { memberId: number; code: string; message: string }[] = []
      for (const memberId of memberIds) {
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
      return { batchId: batch, members: memberIds.length, issued: issued.length, refused }
    },
  )
  api.get(
    '/coupon-templates/:id/usage',
    {
      summary: '优惠券使用情况：已领、可用、已用、过期，用券订单的优惠与实付',
      params: idParams,
      response: couponUsageSchema,
    },
    ({ params }) => couponUsage(deps.db, params.id, deps.clock.now()),
  )
}
