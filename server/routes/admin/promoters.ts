// Promoters and their commission levels: enrol members or staff, set levels whose rules are data,
// give a promoter their share code and mini-program code.
import { z } from 'zod'
import {
  enrolPromoter,
  getPromoter,
  listPromoterLevels,
  listPromoters,
  promoterLevelInputSchema,
  promoterSummarySchema,
  savePromoterLevel,
  updatePromoter,
} from '../../../shared/referral/promoters'
import { commissionRules } from '../../../shared/referral/commission-rules'
import { shareCodeOf, shareTargetsOf, type SharerRef } from '../../../shared/referral/share-codes'
import type { Promoter, PromoterLevel } from '../../../shared/db/schema/referral'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { paging, sendShareCodeImage, shareTargetSchema } from './referrals-access'

const ruleSchema = z.object({ code: z.string(), args: z.record(z.string(), z.unknown()) })
const levelSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  rank: z.number().int(),
  tier1Rule: ruleSchema,
  tier2Rule: ruleSchema.nullable(),
  isDefault: z.boolean(),
})
const presentLevel = (l: PromoterLevel) => ({
  id: l.id,
  code: l.code,
  name: l.name,
  rank: l.rank,
  tier1Rule: l.tier1Rule,
  tier2Rule: l.tier2Rule,
  isDefault: l.isDefault,
})

const promoterSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['member', 'staff']),
  memberId: z.number().int().nullable(),
  operatorId: z.number().int().nullable(),
  levelId: z.number().int(),
  status: z.enum(['active', 'suspended']),
  joinedAt: z.string(),
})
const presentPromoter = (p: Promoter) => ({
  id: p.id,
  kind: p.kind,
  memberId: p.memberId,
  operatorId: p.operatorId,
  levelId: p.levelId,
  status: p.status,
  joinedAt: p.joinedAt.toISOString(),
})

const promoterParams = z.object({ promoterId: z.coerce.number().int().positive() })

const sharerOf = (p: Promoter): SharerRef =>
  p.memberId !== null ? { memberId: p.memberId } : { operatorId: p.operatorId! }

export function registerAdminPromoters(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/promoters/commission-rules',
    {
      summary: '可用的佣金规则（代码、说明、参数）',
      response: z.object({
        rules: z.array(
          z.object({ code: z.string(), description: z.string(), args: z.record(z.string(), z.unknown()) }),
        ),
      }),
    },
    () => ({
      rules: commissionRules.catalogue().map((r) => ({ code: r.code, description: r.title, args: r.args })),
    }),
  )

  api.get(
    '/promoters/levels',
    { summary: '推广员等级及佣金规则', response: z.object({ levels: z.array(levelSchema) }) },
    async () => ({ levels: (await listPromoterLevels(deps.db)).map(presentLevel) }),
  )

  api.put(
    '/promoters/levels/:code',
    {
      summary: '新建或修改推广员等级',
      params: z.object({ code: z.string() }),
      body: promoterLevelInputSchema.omit({ code: true }).strict(),
      response: levelSchema,
    },
    async ({ params, body }) =>
      presentLevel(await savePromoterLevel(deps.db, { ...body, code: params.code })),
  )

  api.get(
    '/promoters',
    {
      summary: '推广员列表（含佣金余额）',
      query: z.object({
        status: z.enum(['active', 'suspended']).optional(),
        kind: z.enum(['member', 'staff']).optional(),
        ...paging,
      }),
      response: z.object({ items: z.array(promoterSummarySchema) }),
    },
    async ({ query }) => ({ items: await listPromoters(deps.db, query) }),
  )

  api.post(
    '/promoters',
    {
      summary: '设为推广员（会员或员工）',
      body: z.union([
        z.object({ memberId: z.number().int().positive(), levelCode: z.string().optional() }).strict(),
        z.object({ operatorId: z.number().int().positive(), levelCode: z.string().optional() }).strict(),
      ]),
      status: 201,
      response: z.object({ promoter: promoterSchema, created: z.boolean() }),
    },
    async ({ body }) => {
      const sharer: SharerRef =
        'memberId' in body ? { memberId: body.memberId } : { operatorId: body.operatorId }
      const r = await enrolPromoter(deps.db, sharer, { levelCode: body.levelCode, at: deps.clock.now() })
      return { promoter: presentPromoter(r.promoter), created: r.created }
    },
  )

  api.patch(
    '/promoters/:promoterId',
    {
      summary: '调整推广员等级或状态',
      params: promoterParams,
      body: z
        .object({ levelCode: z.string().min(1), status: z.enum(['active', 'suspended']) })
        .partial()
        .strict(),
      response: promoterSchema,
    },
    async ({ params, body }) => presentPromoter(await updatePromoter(deps.db, params.promoterId, body)),
  )

  api.get(
    '/promoters/:promoterId/share-code',
    { summary: '推广员的推荐码与分享路径', params: promoterParams, response: shareTargetSchema },
    async ({ params }) => {
      const promoter = await getPromoter(deps.db, params.promoterId)
      return shareTargetsOf((await shareCodeOf(deps.db, sharerOf(promoter))).code)
    },
  )

  api.get(
    '/promoters/:promoterId/share-code/image',
    { summary: '推广员的小程序码图片', params: promoterParams, produces: 'image/png' },
    async ({ params }, ctx) => {
      const promoter = await getPromoter(deps.db, params.promoterId)
      return sendShareCodeImage(deps, ctx, (await shareCodeOf(deps.db, sharerOf(promoter))).code)
    },
  )
}
