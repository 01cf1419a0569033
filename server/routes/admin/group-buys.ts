// Operators' group buys: campaigns with their groups by state and results, and one campaign's groups.
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import {
  adminGroupBuySchema,
  adminGroupSchema,
  createGroupBuy,
  groupBuyInputSchema,
  listGroupBuysWithResults,
} from '../../../shared/marketing/group-buy'
import { groupBuyGroups } from '../../../shared/db/schema/marketing'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const iso = (d: Date | null) => d?.toISOString() ?? null

export function registerAdminGroupBuys(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/group-buys',
    { summary: '拼团活动（含已结束）及各状态团数、成交', response: z.array(adminGroupBuySchema) },
    () => listGroupBuysWithResults(deps.db, deps.clock.now()),
  )
  api.post('/group-buys', { summary: '新建拼团活动', body: groupBuyInputSchema, status: 201 }, ({ body }) =>
    createGroupBuy(deps.db, body),
  )
  api.get(
    '/group-buys/:id/groups',
    {
      summary: '某拼团活动的团（状态、人数）',
      params: z.object({ id: z.coerce.number().int().positive() }),
      response: z.array(adminGroupSchema),
    },
    async ({ params }) =>
      (
        await deps.db
          .select()
          .from(groupBuyGroups)
          .where(eq(groupBuyGroups.groupBuyId, params.id))
          .orderBy(desc(groupBuyGroups.id))
          .limit(200)
      ).map((g) => ({
        id: g.id,
        shareCode: g.shareCode,
        leaderId: g.leaderId,
        status: g.status,
        groupSize: g.groupSize,
        seatsTaken: g.seatsTaken,
        paidCount: g.paidCount,
        expiresAt: iso(g.expiresAt),
        succeededAt: iso(g.succeededAt),
        failedAt: iso(g.failedAt),
        createdAt: g.createdAt.toISOString(),
      })),
  )
}
