// Operator API for members: the member page (profile, identities, tags, figures, journey), the
// timeline, merges and their undo, the lifecycle funnel and the super-user candidates.
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows } from '../../../shared/db/client'
import { DomainError } from '../../../shared/errors'
import {
  getMember,
  memberProfileSchema,
  presentProfile,
  profileFieldsSchema,
  updateProfile,
} from '../../../shared/members/profile'
import { identitiesOf } from '../../../shared/members/identity'
import { identityValueFor } from '../../../shared/reports/member-directory'
import { authorize } from '../../policy'
import { tagsOfMember, memberTagSchema } from '../../../shared/members/tags'
import { memberTimeline, timelineItemSchema } from '../../../shared/members/timeline'
import { mergeMembers, mergesOf, undoMerge } from '../../../shared/members/merge'
import { stageFunnel } from '../../../shared/members/lifecycle'
import { repurchaserAdvice, stageNames } from '../../../shared/members/labels'
import {
  CANDIDATE_THRESHOLD,
  candidateCatalogue,
  candidateSchema,
  criterionSettingSchema,
  listCandidates,
  loadCriteria,
  saveCriterion,
} from '../../../shared/segments/candidates'
import { lifecycleStages } from '../../../shared/db/schema/members'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })
const stageCounts = z.record(z.enum(lifecycleStages), z.number().int())

const memberDetailSchema = z.object({
  profile: memberProfileSchema,
  repurchaserKind: z.string().nullable(),
  stageName: z.string(),
  suggestedAction: z.string().nullable(),
  mergedIntoId: z.number().int().nullable(),
  lastSeenAt: z.string().nullable(),
  identities: z.array(z.object({ kind: z.string(), value: z.string(), verified: z.boolean() })),
  tags: z.array(memberTagSchema),
  stats: z.record(z.string(), z.unknown()).nullable(),
})

export function registerAdminMembers(api: ApiRouter, deps: AppDeps): void {
  const { db, clock } = deps

  api.get(
    '/members/funnel',
    {
      summary: '生命周期漏斗（随时间变化）',
      query: z.object({
        from: z.iso.datetime({ offset: true }),
        to: z.iso.datetime({ offset: true }),
        period: z.enum(['day', 'week', 'month']).default('week'),
      }),
      response: z.array(z.object({ at: z.string(), stages: stageCounts, entered: stageCounts })),
    },
    async ({ query }) => {
      const from = new Date(query.from)
      const to = new Date(query.to)
      if (to < from)
        throw new DomainError('invalid_range', '结束时间不能早于开始时间', 400, [
          { path: 'query.to', message: '结束时间不能早于开始时间' },
        ])
      const maxPoints = { day: 400, week: 260, month: 120 }[query.period]
      const step = { day: 1, week: 7, month: 30 }[query.period] * 86_400_000
      if ((to.getTime() - from.getTime()) / step > maxPoints)
        throw new DomainError('range_too_long', '时间范围太长', 400, [
          { path: 'query.from', message: `最多 ${maxPoints} 个周期` },
        ])
      return stageFunnel(db, { from, to, period: query.period })
    },
  )

  api.get(
    '/members/candidates',
    {
      summary: '超级用户候选（按得分排序，附每项得分和说明）',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        minScore: z.coerce.number().int().min(0).max(100).default(1),
        includeSuperUsers: z.enum(['true', 'false']).default('false'),
      }),
      response: z.object({
        total: z.number().int(),
        /** The score from which a candidate counts as high-potential (高潜). */
        threshold: z.number().int(),
        items: z.array(candidateSchema),
      }),
    },
    async ({ query }) => ({
      ...(await listCandidates(db, {
        at: clock.now(),
        limit: query.limit,
        offset: query.offset,
        minScore: query.minScore,
        includeSuperUsers: query.includeSuperUsers === 'true',
      })),
      threshold: CANDIDATE_THRESHOLD,
    }),
  )

  const criterionView = z.object({
    code: z.string(),
    name: z.string(),
    weight: z.number().int(),
    args: z.record(z.string(), z.unknown()),
  })
  api.get(
    '/members/candidates/criteria',
    { summary: '超级用户候选标准与权重', response: z.array(criterionView) },
    async () =>
      (await loadCriteria(db)).map((c) => ({
        code: c.criterion.code,
        name: c.criterion.title,
        weight: c.weight,
        args: c.args,
      })),
  )
  api.put(
    '/members/candidates/criteria/:code',
    {
      summary: '设置候选标准的权重和参数',
      params: z.object({ code: z.enum(candidateCatalogue.map((c) => c.code) as [string, ...string[]]) }),
      body: criterionSettingSchema,
      response: criterionView,
    },
    async ({ params, body }, ctx) => {
      const c = await saveCriterion(db, params.code, body, ctx.state.operator!.id, clock.now())
      return { code: c.criterion.code, name: c.criterion.title, weight: c.weight, args: c.args }
    },
  )

  api.post(
    '/members/merge',
    {
      summary: '合并两个会员（同一个人）',
      description: '把 mergedId 的身份、订单、积分、事件、推荐、标签、等级等全部转到 survivorId，可撤销。',
      body: z.object({
        survivorId: z.number().int().positive(),
        mergedId: z.number().int().positive(),
        reason: z.string().trim().min(1, '请填写合并原因').max(200),
      }),
      response: z.object({
        mergeId: z.number().int(),
        survivorId: z.number().int(),
        mergedId: z.number().int(),
        repointed: z.record(z.string(), z.number()),
        deleted: z.record(z.string(), z.number()),
      }),
      status: 201,
    },
    ({ body }, ctx) => mergeMembers(db, { ...body, operatorId: ctx.state.operator!.id, at: clock.now() }),
  )

  api.post(
    '/members/merges/:id/undo',
    {
      summary: '撤销一次会员合并',
      params: idParams,
      response: z.object({ survivorId: z.number().int(), mergedId: z.number().int() }),
    },
    ({ params }, ctx) =>
      undoMerge(db, { mergeId: params.id, operatorId: ctx.state.operator!.id, at: clock.now() }),
  )

  api.get(
    '/members/:id',
    { summary: '会员详情', params: idParams, response: memberDetailSchema },
    async ({ params }, ctx) => {
      const [raw] = await queryRows<{ merged_into_id: number | null }>(
        db,
        sql`select merged_into_id from members where id = ${params.id}`,
      )
      if (raw?.merged_into_id)
        throw new DomainError('member_merged', '该会员已合并到其他会员', 409, [
          { path: 'id', message: `已合并到会员 ${raw.merged_into_id}` },
        ])
      const member = await getMember(db, params.id)
      const [stats] = await queryRows<Record<string, unknown>>(
        db,
        sql`select * from member_stats where member_id = ${member.id}`,
      )
      return {
        profile: presentProfile(member),
        repurchaserKind: member.repurchaserKind,
        stageName: stageNames[member.stage],
        suggestedAction: member.repurchaserKind ? repurchaserAdvice[member.repurchaserKind].action : null,
        mergedIntoId: member.mergedIntoId,
        lastSeenAt: member.lastSeenAt?.toISOString() ?? null,
        identities: (await identitiesOf(db, [member.id])).map((i) => ({
          kind: i.kind,
          value: identityValueFor(i.kind, i.value, authorize(ctx.state.operator!.role, 'members.contact')),
          verified: i.verified,
        })),
        tags: await tagsOfMember(db, member.id),
        stats: stats ?? null,
      }
    },
  )

  api.patch(
    '/members/:id',
    {
      summary: '修改会员资料',
      params: idParams,
      body: profileFieldsSchema.strict(),
      response: memberProfileSchema,
    },
    async ({ params, body }) => presentProfile(await updateProfile(db, params.id, body, clock.now())),
  )

  api.get(
    '/members/:id/timeline',
    {
      summary: '会员时间线（聊天、订单、积分、活动等，按时间倒序分页）',
      params: idParams,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(30),
        cursor: z.string().max(200).optional(),
        types: z.string().max(500).optional(),
      }),
      response: z.object({ items: z.array(timelineItemSchema), nextCursor: z.string().nullable() }),
    },
    async ({ params, query }) => {
      await getMember(db, params.id)
      return memberTimeline(db, params.id, {
        limit: query.limit,
        cursor: query.cursor ?? null,
        ...(query.types ? { types: query.types.split(',').filter(Boolean) } : {}),
      })
    },
  )

  api.get(
    '/members/:id/merges',
    {
      summary: '会员的合并记录',
      params: idParams,
      response: z.array(
        z.object({
          id: z.number().int(),
          survivorId: z.number().int(),
          mergedId: z.number().int(),
          reason: z.string(),
          operatorId: z.number().int().nullable(),
          createdAt: z.string(),
          undoneAt: z.string().nullable(),
        }),
      ),
    },
    ({ params }) => mergesOf(db, params.id),
  )
}
