// Operator API for benefits: the benefit catalogue, a member's benefits with quota use, and recording a
// use (at the till by scanning the member code, or by member id), refused once the quota is used up.
import { z } from 'zod'
import {
  benefitInputSchema,
  createBenefit,
  listBenefits,
  memberBenefits,
  useBenefit,
  type BenefitInput,
} from '../../../shared/benefits/quotas'
import { benefitUseReport, benefitUses } from '../../../shared/benefits/report'
import { memberIdForTillCode, tillCodeKey } from '../../../shared/card/member-card'
import { benefitKinds } from '../../../shared/db/schema/loyalty'
import { invalid } from '../../../shared/errors'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

/** One benefit a member holds now, with the current period's quota use (null: not counted). */
const heldBenefitSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(benefitKinds),
  description: z.string().nullable(),
  /** The level that grants it. */
  level: z.string(),
  args: z.record(z.string(), z.unknown()),
  quota: z.number().int().nullable(),
  used: z.number().int().nullable(),
  remaining: z.number().int().nullable(),
  periodKey: z.string().nullable(),
})

const benefitSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(benefitKinds),
  description: z.string().nullable(),
  args: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
})

export function registerAdminBenefits(api: ApiRouter, deps: AppDeps): void {
  const tillKey = tillCodeKey(deps.config.signingKey)

  api.get('/benefits', { summary: '权益列表', response: z.array(benefitSchema) }, () => listBenefits(deps.db))

  api.get(
    '/benefits/report',
    {
      summary: '权益使用报告：各权益的周期限次（默认与各等级）、时间段内使用次数、使用人数、亲友使用次数',
      query: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
      response: z.array(
        z.object({
          id: z.number().int(),
          code: z.string(),
          name: z.string(),
          kind: z.enum(benefitKinds),
          description: z.string().nullable(),
          /** Quota period (year, month, tier_period); null: not counted. */
          period: z.string().nullable(),
          defaultQuota: z.number().int().nullable(),
          levels: z.array(
            z.object({ ladder: z.string(), level: z.string(), quota: z.number().int().nullable() }),
          ),
          uses: z.number().int(),
          members: z.number().int(),
          friendUses: z.number().int(),
        }),
      ),
    },
    ({ query }) => {
      const from = new Date(query.from)
      const to = new Date(query.to)
      if (to <= from) throw invalid('query.to', '结束时间须晚于开始时间')
      return benefitUseReport(deps.db, { from, to })
    },
  )

  api.get(
    '/benefits/:id/uses',
    {
      summary: '某项权益的使用记录（最新在前）',
      params: z.object({ id: z.coerce.number().int().positive() }),
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(20),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }),
      response: z.object({
        total: z.number().int(),
        items: z.array(
          z.object({
            id: z.number().int(),
            memberId: z.number().int(),
            memberNo: z.string(),
            name: z.string().nullable(),
            periodKey: z.string(),
            friendMemberId: z.number().int().nullable(),
            note: z.string().nullable(),
            usedAt: z.string(),
          }),
        ),
      }),
    },
    ({ params, query }) => benefitUses(deps.db, params.id, query),
  )

  api.post(
    '/benefits',
    {
      summary: '新建权益（会员价、按周期限次、生日礼、亲友可用）',
      body: benefitInputSchema,
      status: 201,
      response: benefitSchema,
    },
    ({ body }) => createBenefit(deps.db, body as BenefitInput),
  )

  api.get(
    '/benefits/members/:memberId',
    {
      summary: '会员当前享有的权益及本周期已用次数',
      params: z.object({ memberId: z.coerce.number().int().positive() }),
      response: z.array(heldBenefitSchema),
    },
    ({ params }) => memberBenefits(deps.db, params.memberId, deps.clock.now()),
  )

  api.post(
    '/benefits/uses',
    {
      summary: '核销一次权益（按会员 ID 或扫描会员码）；超出本周期次数返回 409',
      body: z
        .object({
          memberId: z.number().int().positive().optional(),
          tillCode: z.string().min(10).max(100).optional(),
          benefitCode: z.string().min(1).max(64),
          requestId: z.string().trim().min(8, '请求编号至少 8 位').max(64),
          friendPhone: z
            .string()
            .regex(/^1[3-9]\d{9}$/, '手机号格式不正确')
            .optional(),
          note: z.string().max(200).optional(),
        })
        .refine((b) => b.memberId || b.tillCode, { message: '请提供会员 ID 或会员码', path: ['memberId'] }),
      status: 201,
      response: z.object({
        usageId: z.number().int(),
        memberId: z.number().int(),
        periodKey: z.string(),
        quota: z.number().int(),
        used: z.number().int(),
        remaining: z.number().int(),
        /** The same requestId again: the first use is answered and nothing more is counted. */
        duplicate: z.boolean(),
      }),
    },
    async ({ body }, ctx) => {
      const at = deps.clock.now()
      if (body.memberId && body.tillCode) throw invalid('tillCode', '会员 ID 与会员码只需提供一个')
      const memberId = body.memberId ?? (await memberIdForTillCode(deps.db, body.tillCode!, tillKey, at))
      const r = await useBenefit(
        deps.db,
        {
          memberId,
          benefitCode: body.benefitCode,
          requestId: body.requestId,
          friendPhone: body.friendPhone,
          operatorId: ctx.state.operator!.id,
          note: body.note,
        },
        at,
      )
      return {
        usageId: r.usage.id,
        memberId,
        periodKey: r.usage.periodKey,
        quota: r.quota,
        used: r.used,
        remaining: r.quota - r.used,
        duplicate: r.duplicate,
      }
    },
  )
}
