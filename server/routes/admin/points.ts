// Operator API for points: the points policy (ratio, expiry, referral rebate), a member's account,
// manual adjustments, bulk imports by phone (CSV or Excel, all or nothing), and the earning tasks.
import { z } from 'zod'
import { memberPointsAccount } from '../../../shared/points/accounts'
import { adjustPoints } from '../../../shared/points/accounts'
import { importPoints } from '../../../shared/points/import'
import { expiringSoon } from '../../../shared/points/history'
import { loadPointsPolicy, pointsPolicySchema, savePointsPolicy } from '../../../shared/points/policy'
import { listTasks, saveTask, taskInputSchema } from '../../../shared/points/tasks'
import { DomainError } from '../../../shared/errors'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const accountSchema = z.object({
  memberId: z.number().int(),
  balance: z.number().int(),
  /** Points that lapse within 90 days, and the soonest date among them. */
  expiring: z.object({ points: z.number().int(), soonestAt: z.string().nullable() }),
  grants: z.array(
    z.object({
      id: z.number().int(),
      remaining: z.number().int(),
      expiresAt: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  entries: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      amount: z.number().int(),
      reason: z.string(),
      at: z.string(),
      expiresAt: z.string().nullable(),
      remaining: z.number().int().nullable(),
    }),
  ),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.number().int().nullable(),
})

const requestId = z.string().trim().min(8, '请求编号至少 8 位').max(64)

export function registerAdminPoints(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/points/policy',
    { summary: '积分规则：消费比例、有效期、推荐返积分', response: pointsPolicySchema },
    () => loadPointsPolicy(deps.db),
  )

  api.put(
    '/points/policy',
    { summary: '修改积分规则', body: pointsPolicySchema, response: pointsPolicySchema },
    ({ body }, ctx) => savePointsPolicy(deps.db, body, deps.clock.now(), ctx.state.operator?.id),
  )

  api.get(
    '/points/members/:memberId',
    {
      summary: '会员积分账户：余额、未到期积分明细、流水',
      params: z.object({ memberId: z.coerce.number().int().positive() }),
      query: z.object({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: accountSchema,
    },
    ({ params, query }) => memberPointsAccount(deps.db, params.memberId, deps.clock.now(), query),
  )

  api.get(
    '/points/expiring',
    {
      summary: '即将过期的积分：未来若干天内到期的积分，按会员汇总（积分多者在前）',
      query: z.object({
        days: z.coerce.number().int().min(1).max(365).default(30),
        limit: z.coerce.number().int().min(1).max(200).default(20),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }),
      response: z.object({
        until: z.string(),
        /** Members with points lapsing in the window, and those points in all. */
        members: z.number().int(),
        points: z.number().int(),
        items: z.array(
          z.object({
            memberId: z.number().int(),
            memberNo: z.string(),
            name: z.string().nullable(),
            points: z.number().int(),
            soonestAt: z.string(),
          }),
        ),
      }),
    },
    ({ query }) => expiringSoon(deps.db, deps.clock.now(), query),
  )

  api.post(
    '/points/adjustments',
    {
      summary: '人工调整积分（正数发放、负数扣减，不会扣成负数）',
      body: z.object({
        memberId: z.number().int().positive(),
        amount: z
          .number()
          .int()
          .refine((n) => n !== 0, '调整数量不能为 0'),
        reason: z.string().trim().min(1, '请填写调整原因').max(100),
        requestId,
        expiresAt: z.coerce.date().nullable().optional(),
      }),
      status: 201,
      response: z.object({
        entryId: z.number().int(),
        amount: z.number().int(),
        balance: z.number().int(),
        duplicate: z.boolean(),
      }),
    },
    async ({ body }, ctx) => {
      const r = await adjustPoints(deps.db, { ...body, operatorId: ctx.state.operator!.id }, deps.clock.now())
      return { entryId: r.entry.id, amount: r.entry.amount, balance: r.balance, duplicate: r.duplicate }
    },
  )

  api.post(
    '/points/imports',
    {
      summary: '按手机号批量导入积分（CSV 或 Excel）：全部成功才导入，否则列出每一行错误且不导入任何积分',
      description:
        '文件第一行为表头，须含「手机号」「积分」，可含「原因」「到期日」(YYYY-MM-DD)。负数表示扣减。同一文件只能导入一次。',
      body: z.object({
        fileName: z.string().trim().min(1).max(200),
        contentBase64: z.string().min(1).max(20_000_000),
      }),
      status: 201,
      response: z.object({
        ok: z.literal(true),
        importId: z.number().int(),
        rows: z.number().int(),
        members: z.number().int(),
        totalPoints: z.number().int(),
      }),
    },
    async ({ body }, ctx) => {
      const content = Buffer.from(body.contentBase64, 'base64')
      const result = await importPoints(
        deps.db,
        { fileName: body.fileName, content, operatorId: ctx.state.operator!.id },
        deps.clock.now(),
      )
      if (!result.ok)
        throw new DomainError(
          'import_rejected',
          `有 ${result.rejected.length} 行数据有误，未导入任何积分`,
          422,
          result.rejected.map((r) => ({
            path: `row ${r.row}`,
            message: `第 ${r.row} 行（${r.phone || '空'}）：${r.reason}`,
          })),
        )
      return result
    },
  )

  api.get('/points/tasks', { summary: '积分任务' }, () => listTasks(deps.db))

  api.put(
    '/points/tasks/:code',
    {
      summary: '新建或修改积分任务（每日签到可设置连签奖励）',
      params: z.object({ code: z.string().min(2).max(64) }),
      body: taskInputSchema.omit({ code: true }),
    },
    ({ params, body }) => saveTask(deps.db, { ...body, code: params.code }),
  )
}
