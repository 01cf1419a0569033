// Operator API for campaigns: write, preview, dry-run, approve, pause/resume/archive, runs and results.
import { z } from 'zod'
import { desc, eq } from 'drizzle-orm'
import { campaignInputSchema } from '../../../shared/campaigns/definition'
import { campaignIntegrations, type CampaignIntegrations } from '../../../shared/campaigns/integrations'
import { cancelRun } from '../../../shared/campaigns/planner'
import { campaignResults, unreachableRecipients } from '../../../shared/campaigns/results'
import { campaignKinds, campaignRuns, campaignStatuses } from '../../../shared/db/schema/campaigns'
import {
  approveCampaign,
  changeCampaignStatus,
  checkForSave,
  createCampaign,
  inputOf,
  listCampaigns,
  loadCampaign,
  presentCampaign,
  updateCampaign,
} from '../../../shared/campaigns/service'
import { dryRunCampaign, previewCampaign } from '../../../shared/campaigns/preview'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })
const runParams = z.object({ runId: z.coerce.number().int().positive() })
const sampleSize = z.number().int().min(1).max(50).default(10)

const campaignViewSchema = campaignInputSchema.extend({
  id: z.number().int(),
  status: z.enum(campaignStatuses),
  version: z.number().int(),
  approved: z.boolean(),
  approvedBy: z.number().int().nullable(),
  approvedAt: z.string().nullable(),
  createdBy: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})

const previewSchema = z.object({
  runDate: z.string(),
  variables: z.array(z.object({ name: z.string(), label: z.string() })),
  samples: z.array(
    z.object({
      memberId: z.number().int().nullable(),
      chatGroupId: z.number().int().nullable(),
      accountId: z.number().int().nullable(),
      cohort: z.string(),
      channel: z.string(),
      unreachableReason: z.string().nullable(),
      variant: z.number().int(),
      text: z.string().nullable(),
      subscribeData: z.record(z.string(), z.object({ value: z.string() })).nullable(),
      values: z.record(z.string(), z.string().nullable()),
    }),
  ),
})

const dryRunSchema = z.object({
  runDate: z.string(),
  startsAt: z.string(),
  totals: z.record(z.string(), z.number()),
  estimatedFinishAt: z.string().nullable(),
  accounts: z.array(
    z.object({
      accountId: z.number().int().nullable(),
      accountName: z.string().nullable(),
      state: z.string().nullable(),
      direct: z.number().int(),
      subscribe: z.number().int(),
      unreachable: z.number().int(),
      holdout: z.number().int(),
      optedOut: z.number().int(),
      groups: z.number().int(),
      dailyCap: z.number().int().nullable(),
      backlog: z.number().int(),
      estimatedFinishAt: z.string().nullable(),
      warning: z.string().nullable(),
    }),
  ),
  assumptions: z.object({
    intervalSeconds: z.object({ min: z.number(), max: z.number() }).nullable(),
    note: z.string(),
  }),
})

const countsSchema = z.record(z.string(), z.number())
const upliftSchema = z.record(z.string(), z.number().nullable())
const resultsSchema = z.object({
  campaignId: z.number().int(),
  windows: z.object({ replyHours: z.number(), orderDays: z.number() }),
  totals: countsSchema,
  uplift: upliftSchema,
  accounts: z.array(
    z.object({ accountId: z.number().int().nullable(), totals: countsSchema, uplift: upliftSchema }),
  ),
  runs: z.array(
    z.object({
      runId: z.number().int(),
      runDate: z.string(),
      occasionKey: z.string(),
      occasionName: z.string().nullable(),
      status: z.string(),
      startedAt: z.string(),
      totals: countsSchema,
      uplift: upliftSchema,
      accounts: z.array(
        z.object({ accountId: z.number().int().nullable(), totals: countsSchema, uplift: upliftSchema }),
      ),
    }),
  ),
})

export function registerAdminCampaigns(
  api: ApiRouter,
  deps: AppDeps,
  integrations: CampaignIntegrations = campaignIntegrations,
): void {
  const ctx = { db: deps.db, clock: deps.clock, integrations }

  api.get(
    '/campaigns',
    {
      summary: '活动列表',
      query: z.object({
        status: z.enum(campaignStatuses).optional(),
        kind: z.enum(campaignKinds).optional(),
      }),
      response: z.array(campaignViewSchema),
    },
    async ({ query }) => (await listCampaigns(deps.db, query)).map(presentCampaign),
  )

  api.post(
    '/campaigns',
    {
      summary: '新建活动（草稿）',
      description: '模板中只能使用该活动可用的变量，未知变量返回 400 并指出变量名。',
      body: campaignInputSchema,
      response: campaignViewSchema,
      status: 201,
    },
    async ({ body }, c) => presentCampaign(await createCampaign(ctx, body, c.state.operator!.id)),
  )

  api.post(
    '/campaigns/preview',
    {
      summary: '预览未保存的活动',
      description: '按活动定义选出受众，随机抽样渲染消息，并列出每个变量的取值。',
      body: campaignInputSchema.extend({ sampleSize }),
      response: previewSchema,
    },
    async ({ body }) => {
      const { sampleSize: n, ...input } = body
      return previewCampaign(ctx, await checkForSave(ctx, input), null, n)
    },
  )

  api.post(
    '/campaigns/dry-run',
    {
      summary: '试算未保存的活动',
      description: '受众按顾问账号分布，以及每个账号按每日上限、免打扰时段和排队消息估算的发完时间。',
      body: campaignInputSchema,
      response: dryRunSchema,
    },
    async ({ body }) => dryRunCampaign(ctx, await checkForSave(ctx, body), null),
  )

  api.get(
    '/campaigns/:id',
    { summary: '活动详情', params: idParams, response: campaignViewSchema },
    async ({ params }) => presentCampaign(await loadCampaign(deps.db, params.id)),
  )

  api.put(
    '/campaigns/:id',
    {
      summary: '修改活动',
      description: '修改后活动回到草稿状态，需要重新批准。',
      params: idParams,
      body: campaignInputSchema,
      response: campaignViewSchema,
    },
    async ({ params, body }) => presentCampaign(await updateCampaign(ctx, params.id, body)),
  )

  api.post(
    '/campaigns/:id/preview',
    {
      summary: '预览活动',
      params: idParams,
      body: z.object({ sampleSize }),
      response: previewSchema,
    },
    async ({ params, body }) => {
      const row = await loadCampaign(deps.db, params.id)
      return previewCampaign(ctx, await checkForSave(ctx, inputOf(row)), row.id, body.sampleSize)
    },
  )

  api.post(
    '/campaigns/:id/dry-run',
    { summary: '试算活动', params: idParams, response: dryRunSchema },
    async ({ params }) => {
      const row = await loadCampaign(deps.db, params.id)
      return dryRunCampaign(ctx, await checkForSave(ctx, inputOf(row)), row.id)
    },
  )

  api.post(
    '/campaigns/:id/approve',
    {
      summary: '批准活动',
      description: '批准运营人员预览过的版本；活动在此之后被修改过则返回 409。',
      params: idParams,
      body: z.object({ version: z.number().int().positive() }),
      response: campaignViewSchema,
    },
    async ({ params, body }, c) =>
      presentCampaign(await approveCampaign(ctx, params.id, body.version, c.state.operator!.id)),
  )

  for (const [action, summary] of [
    ['pause', '暂停活动'],
    ['resume', '恢复活动'],
    ['archive', '归档活动'],
  ] as const) {
    api.post(
      `/campaigns/:id/${action}`,
      { summary, params: idParams, response: campaignViewSchema },
      async ({ params }) => presentCampaign(await changeCampaignStatus(ctx, params.id, action)),
    )
  }

  api.get(
    '/campaigns/:id/runs',
    {
      summary: '活动的每次发送',
      params: idParams,
      response: z.array(
        z.object({
          id: z.number().int(),
          occasionKey: z.string(),
          occasionName: z.string().nullable(),
          runDate: z.string(),
          status: z.string(),
          phase: z.string(),
          startedAt: z.string(),
          plannedAt: z.string().nullable(),
          lastError: z.string().nullable(),
        }),
      ),
    },
    async ({ params }) => {
      await loadCampaign(deps.db, params.id)
      const runs = await deps.db
        .select()
        .from(campaignRuns)
        .where(eq(campaignRuns.campaignId, params.id))
        .orderBy(desc(campaignRuns.id))
      return runs.map((r) => ({
        id: r.id,
        occasionKey: r.occasionKey,
        occasionName: r.occasionName,
        runDate: r.runDate,
        status: r.status,
        phase: r.phase,
        startedAt: r.startedAt.toISOString(),
        plannedAt: r.plannedAt?.toISOString() ?? null,
        lastError: r.lastError,
      }))
    },
  )

  api.get(
    '/campaigns/:id/results',
    {
      summary: '活动效果',
      description:
        '按每次发送和顾问账号统计：已发送、失败、48 小时内回复、7 天内下单、归因的营业额和积分，以及与对照组比较的提升。',
      params: idParams,
      query: z.object({ runId: z.coerce.number().int().positive().optional() }),
      response: resultsSchema,
    },
    async ({ params, query }) => {
      await loadCampaign(deps.db, params.id)
      return campaignResults(deps.db, params.id, query.runId ?? null)
    },
  )

  api.get(
    '/campaign-runs/:runId/unreachable',
    {
      summary: '无法触达的会员',
      description: '没有顾问、顾问账号上没有聊天联系人、也没有剩余订阅消息授权的会员，供跟进。',
      params: runParams,
      response: z.array(
        z.object({
          memberId: z.number().int(),
          memberNo: z.string(),
          name: z.string().nullable(),
          accountId: z.number().int().nullable(),
          reason: z.string(),
        }),
      ),
    },
    async ({ params }) =>
      (await unreachableRecipients(deps.db, params.runId)).map((r) => ({
        memberId: Number(r.member_id),
        memberNo: r.member_no,
        name: r.name,
        accountId: r.account_id === null ? null : Number(r.account_id),
        reason: r.reason,
      })),
  )

  api.post(
    '/campaign-runs/:runId/cancel',
    {
      summary: '取消一次发送',
      description: '不再排队新的消息，并撤回尚未发出的消息。',
      params: runParams,
      response: z.object({ withdrawn: z.number().int() }),
    },
    async ({ params }) => cancelRun(deps.db, deps.clock, params.runId),
  )
}
