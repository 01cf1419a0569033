// The member's points in the mini-program: balance, what expires soon, and the history.
import { z } from 'zod'
import { expiringPoints, pointsHistory } from '../../../shared/points/history'
import { pointsBalance } from '../../../shared/points/ledger'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const historySchema = z.object({
  balance: z.number(),
  expiring: z.object({ points: z.number(), soonestAt: z.string().nullable() }),
  entries: z.array(
    z.object({
      id: z.number(),
      kind: z.enum(['earn', 'spend', 'expire', 'adjust', 'reverse']),
      amount: z.number(),
      reason: z.string(),
      at: z.string(),
      expiresAt: z.string().nullable(),
      remaining: z.number().nullable(),
    }),
  ),
  nextBefore: z.number().nullable(),
})

export function registerMpPoints(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/points',
    {
      summary: '我的积分：余额、即将过期、积分明细（按 before 翻页）',
      query: z.object({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      }),
      response: historySchema,
    },
    async ({ query }, ctx) => {
      const memberId = ctx.state.memberId!
      const at = deps.clock.now()
      const expiring = await expiringPoints(deps.db, memberId, at)
      return {
        balance: await pointsBalance(deps.db, memberId, at),
        expiring: { points: expiring.points, soonestAt: expiring.soonestAt?.toISOString() ?? null },
        ...(await pointsHistory(deps.db, memberId, query)),
      }
    },
  )
}
