// Operators' view of who brought whom: attributions, a member's tree and upline, super communicators,
// the referral rate by month, and the programme's settings.
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { members } from '../../../shared/db/schema/members'
import { operators } from '../../../shared/db/schema/auth'
import { referrals } from '../../../shared/db/schema/referral'
import {
  referralCountsSchema,
  referralTreeOf,
  treeNodeSchema,
  uplineEntrySchema,
  uplineOf,
} from '../../../shared/referral/tree'
import {
  referralRateByMonth,
  referralRateMonthSchema,
  refreshReferralStats,
  superCommunicatorSchema,
  superCommunicators,
} from '../../../shared/referral/stats'
import {
  getReferralSettings,
  referralSettingsSchema,
  updateReferralSettings,
} from '../../../shared/referral/settings'
import { DomainError } from '../../../shared/errors'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { dayAfter, nextMonth, paging, shanghaiDay, shanghaiMonth } from './referrals-access'

const memberIdParams = z.object({ memberId: z.coerce.number().int().positive() })

const attributionSchema = z.object({
  id: z.number().int(),
  refereeId: z.number().int(),
  refereeName: z.string().nullable(),
  refereeNo: z.string(),
  referrerId: z.number().int().nullable(),
  referrerName: z.string().nullable(),
  referrerOperatorId: z.number().int().nullable(),
  referrerOperatorName: z.string().nullable(),
  code: z.string().nullable(),
  attributedAt: z.string(),
})

export function registerAdminReferrals(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/referrals',
    {
      summary: '推荐记录（谁带来了谁）',
      query: z.object({
        referrerId: z.coerce.number().int().positive().optional(),
        from: shanghaiDay.optional(),
        to: shanghaiDay.optional(),
        ...paging,
      }),
      response: z.object({ items: z.array(attributionSchema) }),
    },
    async ({ query }) => {
      const referee = alias(members, 'referee')
      const referrer = alias(members, 'referrer')
      const rows = await deps.db
        .select({
          r: referrals,
          refereeName: sql<string | null>`coalesce(${referee.name}, ${referee.nickname})`,
          refereeNo: referee.memberNo,
          referrerName: sql<string | null>`coalesce(${referrer.name}, ${referrer.nickname})`,
          referrerOperatorName: operators.displayName,
        })
        .from(referrals)
        .innerJoin(referee, eq(referee.id, referrals.refereeId))
        .leftJoin(referrer, eq(referrer.id, referrals.referrerId))
        .leftJoin(operators, eq(operators.id, referrals.referrerOperatorId))
        .where(
          and(
            query.referrerId ? eq(referrals.referrerId, query.referrerId) : undefined,
            query.from ? gte(referrals.attributedAt, query.from) : undefined,
            query.to ? lt(referrals.attributedAt, dayAfter(query.to)) : undefined,
          ),
        )
        .orderBy(desc(referrals.attributedAt), desc(referrals.id))
        .limit(query.limit)
        .offset(query.offset)
      return {
        items: rows.map(({ r, ...names }) => ({
          id: r.id,
          refereeId: r.refereeId,
          refereeName: names.refereeName,
          refereeNo: names.refereeNo,
          referrerId: r.referrerId,
          referrerName: names.referrerName,
          referrerOperatorId: r.referrerOperatorId,
          referrerOperatorName: names.referrerOperatorName,
          code: r.code,
          attributedAt: r.attributedAt.toISOString(),
        })),
      }
    },
  )

  api.get(
    '/referrals/members/:memberId/tree',
    {
      summary: '会员的推荐树（含层级）',
      params: memberIdParams,
      query: z.object({
        maxDepth: z.coerce.number().int().min(1).max(20).default(5),
        limit: z.coerce.number().int().min(1).max(5000).default(500),
      }),
      response: z.object({
        root: referralCountsSchema,
        nodes: z.array(treeNodeSchema),
        truncated: z.boolean(),
      }),
    },
    ({ params, query }) => referralTreeOf(deps.db, params.memberId, query),
  )

  api.get(
    '/referrals/members/:memberId/upline',
    {
      summary: '会员的推荐上级链',
      params: memberIdParams,
      response: z.object({ upline: z.array(uplineEntrySchema) }),
    },
    async ({ params }) => ({ upline: await uplineOf(deps.db, params.memberId) }),
  )

  api.get(
    '/referrals/super-communicators',
    {
      summary: '超级传播者（直接推荐人数达到门槛）',
      description: '人数来自推荐统计，每小时刷新一次；refreshedAt 为最近刷新时间。',
      query: z.object({ threshold: z.coerce.number().int().min(1).max(100_000).optional(), ...paging }),
      response: z.object({
        threshold: z.number().int(),
        refreshedAt: z.string().nullable(),
        members: z.array(superCommunicatorSchema),
      }),
    },
    async ({ query }) => {
      const r = await superCommunicators(deps.db, query)
      return { ...r, refreshedAt: r.refreshedAt?.toISOString() ?? null }
    },
  )

  api.post(
    '/referrals/stats/refresh',
    {
      summary: '立即刷新推荐统计',
      response: z.object({
        members: z.number().int(),
        changed: z.number().int(),
        removed: z.number().int(),
        maxDepth: z.number().int(),
        unreachable: z.number().int(),
      }),
    },
    () => refreshReferralStats(deps.db, deps.clock.now()),
  )

  api.get(
    '/referrals/rate',
    {
      summary: '品牌推荐率（按月：会员带来的新客 ÷ 全部新客）',
      query: z.object({ from: shanghaiMonth, to: shanghaiMonth }),
      response: z.object({ months: z.array(referralRateMonthSchema) }),
    },
    async ({ query }) => {
      if (query.to < query.from) throw new DomainError('invalid_range', '结束月份不能早于开始月份', 400)
      if (query.to.getTime() - query.from.getTime() > 10 * 366 * 86_400_000)
        throw new DomainError('invalid_range', '最多查询十年', 400)
      return { months: await referralRateByMonth(deps.db, { from: query.from, to: nextMonth(query.to) }) }
    },
  )

  api.get('/referrals/settings', { summary: '推荐与分销设置', response: referralSettingsSchema }, () =>
    getReferralSettings(deps.db),
  )

  api.put(
    '/referrals/settings',
    {
      summary: '修改推荐与分销设置',
      body: referralSettingsSchema.partial().strict(),
      response: referralSettingsSchema,
    },
    ({ body }) => updateReferralSettings(deps.db, body, deps.clock.now()),
  )
}
