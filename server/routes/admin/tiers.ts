// Operator API for tier programmes: ladders and levels, rule sets (dry run, apply now, schedule with
// advance notices, withdraw), the evaluation pass on demand, and a member's levels and history.
import { z } from 'zod'
import {
  levelBenefitSchema,
  listLadders,
  levelPatchSchema,
  setMemberLevel,
  updateLevel,
} from '../../../shared/tiers/ladders'
import { memberTierHistory, tierNotices } from '../../../shared/tiers/history'
import { tierRuleCatalogue, tierRuleSetInputSchema } from '../../../shared/tiers/rules'
import {
  applyTierRules,
  cancelScheduledRules,
  dryRunTierRules,
  runTierEvaluation,
  scheduleTierRules,
} from '../../../shared/tiers/evaluation'
import { getMember } from '../../../shared/members/profile'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const ladderParams = z.object({ ladder: z.string().min(1).max(32) })
const memberParams = z.object({ memberId: z.coerce.number().int().positive() })

const passCountsSchema = z.record(z.string(), z.number())

const moveSchema = z.object({
  memberId: z.number(),
  memberNo: z.string(),
  name: z.string().nullable(),
  kind: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  ruleCode: z.string().nullable(),
  reason: z.string(),
  endsAt: z.string().nullable(),
})
export const tierPassReportSchema = z.object({
  ladder: z.string(),
  at: z.string(),
  ruleSetId: z.number().nullable(),
  counts: passCountsSchema,
  moves: z.array(moveSchema),
})

const ruleCodeSchema = z.object({ code: z.string(), title: z.string(), args: z.unknown() })

const noticeSchema = z.object({
  id: z.number().int(),
  ruleSetId: z.number().int(),
  memberId: z.number().int(),
  currentOutcome: z.string(),
  newOutcome: z.string(),
  effectiveAt: z.string(),
  message: z.string(),
  deliveredAt: z.string().nullable(),
})

const ruleSetViewSchema = z.object({ id: z.number().int(), rules: z.unknown(), effectiveAt: z.string() })

const ladderViewSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['vertical', 'horizontal']),
  basis: z.enum(['paid', 'spend', 'growth', 'eligibility']),
  periodMonths: z.number().int(),
  levels: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      rank: z.number().int(),
      annualFeeFen: z.number().int(),
      threshold: z.number().int(),
      pointsMultiplierPct: z.number().int(),
      benefits: z.array(levelBenefitSchema),
      /** Members holding the level now. */
      holders: z.number().int(),
    }),
  ),
  rules: ruleSetViewSchema.nullable(),
  scheduled: z.array(ruleSetViewSchema.extend({ note: z.string().nullable() })),
})

export function registerAdminTiers(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/tiers',
    {
      summary: '会员等级体系：等级、权益、当前与待生效规则、各等级人数',
      response: z.array(ladderViewSchema),
    },
    () => listLadders(deps.db, deps.clock.now()),
  )

  api.get(
    '/tiers/rule-codes',
    { summary: '可用的等级规则类型及参数', response: z.array(ruleCodeSchema) },
    () => tierRuleCatalogue(),
  )

  api.patch(
    '/tiers/:ladder/levels/:level',
    {
      summary: '修改等级（会费、门槛、积分倍率、权益）',
      params: ladderParams.extend({ level: z.string().min(1).max(32) }),
      body: levelPatchSchema.strict(),
      response: z.object({
        code: z.string(),
        name: z.string(),
        annualFeeFen: z.number().int(),
        threshold: z.number().int(),
        pointsMultiplierPct: z.number().int(),
        benefits: z.array(levelBenefitSchema),
      }),
    },
    async ({ params, body }) => {
      const row = await updateLevel(deps.db, params.ladder, params.level, body)
      return {
        code: row.code,
        name: row.name,
        annualFeeFen: row.annualFeeFen,
        threshold: row.threshold,
        pointsMultiplierPct: row.pointsMultiplierPct,
        benefits: row.benefits,
      }
    },
  )

  api.post(
    '/tiers/:ladder/dry-run',
    {
      summary: '规则试算：按拟定规则（或现行规则）谁会升级、保级、降级，不做任何改动',
      params: ladderParams,
      body: z.object({ rules: tierRuleSetInputSchema.optional(), at: z.coerce.date().optional() }),
      response: tierPassReportSchema,
    },
    ({ params, body }) =>
      dryRunTierRules(deps.db, {
        ladderCode: params.ladder,
        rules: body.rules,
        at: body.at ?? deps.clock.now(),
      }),
  )

  api.post(
    '/tiers/:ladder/rules',
    {
      summary: '启用新规则：不填生效时间则立即生效并执行；填未来时间则排期，并为受影响会员生成提前通知',
      params: ladderParams,
      body: z.object({
        rules: tierRuleSetInputSchema,
        effectiveAt: z.coerce.date().optional(),
        note: z.string().max(200).optional(),
      }),
      status: 201,
      response: z.discriminatedUnion('scheduled', [
        z.object({
          scheduled: z.literal(true),
          ruleSetId: z.number().int(),
          effectiveAt: z.string(),
          /** Advance notices recorded for the members whose outcome the new rules change. */
          notices: z.number().int(),
          affected: passCountsSchema,
        }),
        tierPassReportSchema.extend({ scheduled: z.literal(false) }),
      ]),
    },
    async ({ params, body }, ctx) => {
      const now = deps.clock.now()
      const operatorId = ctx.state.operator!.id
      if (body.effectiveAt && body.effectiveAt > now) {
        const r = await scheduleTierRules(
          deps.db,
          {
            ladderCode: params.ladder,
            rules: body.rules,
            effectiveAt: body.effectiveAt,
            operatorId,
            note: body.note,
          },
          now,
        )
        return {
          scheduled: true,
          ruleSetId: r.ruleSet.id,
          effectiveAt: r.ruleSet.effectiveAt.toISOString(),
          notices: r.notices,
          affected: r.affected,
        }
      }
      const report = await applyTierRules(
        deps.db,
        { ladderCode: params.ladder, rules: body.rules, operatorId, note: body.note },
        now,
      )
      return { scheduled: false, ...report }
    },
  )

  api.delete(
    '/tiers/rule-sets/:id',
    {
      summary: '撤销尚未生效的排期规则',
      params: z.object({ id: z.coerce.number().int().positive() }),
      response: z.object({ id: z.number().int(), cancelledAt: z.string() }),
    },
    async ({ params }) => {
      const r = await cancelScheduledRules(deps.db, params.id, deps.clock.now())
      return { id: r.id, cancelledAt: r.cancelledAt!.toISOString() }
    },
  )

  api.get(
    '/tiers/:ladder/notices',
    {
      summary: '规则调整提前通知（待发送或全部）',
      params: ladderParams,
      query: z.object({
        pending: z.enum(['true', 'false']).default('true'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.array(noticeSchema),
    },
    ({ params, query }) =>
      tierNotices(deps.db, params.ladder, { pendingOnly: query.pending === 'true', limit: query.limit }),
  )

  api.post(
    '/tiers/evaluate',
    {
      summary: '立即执行等级评估（与每晚的评估相同）',
      body: z.object({ ladder: z.string().min(1).max(32).optional() }),
    },
    ({ body }) => runTierEvaluation(deps.db, deps.clock.now(), { ladderCode: body.ladder }),
  )

  api.get(
    '/tiers/members/:memberId',
    { summary: '会员当前等级与等级变动记录', params: memberParams },
    ({ params }) => memberTierHistory(deps.db, params.memberId, deps.clock.now()),
  )

  api.put(
    '/tiers/members/:memberId/:ladder',
    {
      summary: '人工调整会员等级（level 为 null 表示移出该体系）',
      params: memberParams.extend({ ladder: z.string().min(1).max(32) }),
      body: z.object({
        level: z.string().min(1).max(32).nullable(),
        reason: z.string().trim().min(1, '请填写调整原因').max(200),
        endsAt: z.coerce.date().nullable().optional(),
      }),
    },
    async ({ params, body }) => {
      await getMember(deps.db, params.memberId)
      const change = await setMemberLevel(
        deps.db,
        {
          memberId: params.memberId,
          ladderCode: params.ladder,
          levelCode: body.level,
          reason: body.reason,
          endsAt: body.endsAt,
        },
        deps.clock.now(),
      )
      return { id: change.id, kind: change.kind, at: change.at.toISOString() }
    },
  )
}
