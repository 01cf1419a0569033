// The console's read-only reports: dashboard figures and the member directory. Queries live in
// shared/reports; these routes only validate input and pick the period.
import { z } from 'zod'
import {
  funnelReportSchema,
  growthQuerySchema,
  growthReportSchema,
  memberDetailSchema,
  memberListSchema,
  memberSearchSchema,
  periodQuerySchema,
  periodReportSchema,
  tierDistributionSchema,
} from '../../../shared/reports/contracts'
import { funnelReport, growthReport, periodReport, tierDistribution } from '../../../shared/reports/dashboard'
import { memberDetail, searchMembers } from '../../../shared/reports/member-directory'
import { reportPeriod } from '../../../shared/reports/period'
import { authorize } from '../../policy'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const memberParams = z.object({ id: z.coerce.number().int().positive('会员编号不正确') })

export function registerAdminReports(api: ApiRouter, deps: AppDeps): void {
  api.get('/reports/funnel', { summary: '生命周期漏斗：各阶段会员数', response: funnelReportSchema }, () =>
    funnelReport(deps.db),
  )

  api.get('/reports/tiers', { summary: '等级分布：各等级当前会员数', response: tierDistributionSchema }, () =>
    tierDistribution(deps.db, deps.clock.now()),
  )

  api.get(
    '/reports/period',
    {
      summary: '期间指标：触达率、转介绍率与销售额拆解',
      description: '日期为北京时间自然日，含首尾；默认最近 30 天。',
      query: periodQuerySchema,
      response: periodReportSchema,
    },
    ({ query }) => periodReport(deps.db, reportPeriod(deps.clock.now(), query)),
  )

  api.get(
    '/reports/growth',
    {
      summary: '增长趋势：按月新增会员、订单与销售额',
      query: growthQuerySchema,
      response: growthReportSchema,
    },
    ({ query }) => growthReport(deps.db, deps.clock.now(), query.months),
  )

  api.get(
    '/reports/members',
    {
      summary: '会员列表（按姓名、手机号、会员号搜索）',
      query: memberSearchSchema,
      response: memberListSchema,
    },
    ({ query }) => searchMembers(deps.db, deps.clock.now(), query),
  )

  api.get(
    '/reports/members/:id',
    {
      summary: '会员详情：资料、身份、等级、积分与最近动态',
      params: memberParams,
      response: memberDetailSchema,
    },
    ({ params }, ctx) =>
      memberDetail(deps.db, deps.clock.now(), params.id, {
        fullPhone: authorize(ctx.state.operator!.role, 'members.contact'),
      }),
  )
}
