// Operators' group buys.
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { createGroupBuy, groupBuyInputSchema, listGroupBuys } from '../../../shared/marketing/group-buy'
import { groupBuyGroups } from '../../../shared/db/schema/marketing'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerAdminGroupBuys(api: ApiRouter, deps: AppDeps): void {
  api.get('/group-buys', { summary: '拼团活动（含已结束）' }, () =>
    listGroupBuys(deps.db, deps.clock.now(), { includeEnded: true }),
  )
  api.post('/group-buys', { summary: '新建拼团活动', body: groupBuyInputSchema, status: 201 }, ({ body }) =>
    createGroupBuy(deps.db, body),
  )
  api.get(
    '/group-buys/:id/groups',
    { summary: '某拼团活动的团（状态、人数）', params: z.object({ id: z.coerce.number().int().positive() }) },
    ({ params }) =>
      deps.db
        .select()
        .from(groupBuyGroups)
        .where(eq(groupBuyGroups.groupBuyId, params.id))
        .orderBy(desc(groupBuyGroups.id))
        .limit(200),
  )
}
