// Paid memberships on sale (visitors may look); buying is an order with membershipLevelId.
import { z } from 'zod'
import { listMembershipsForSale, membershipForSaleSchema } from '../../../shared/orders/memberships-for-sale'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpMemberships(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/memberships',
    { summary: '可购买的付费会员（年费）', response: z.array(membershipForSaleSchema) },
    () => listMembershipsForSale(deps.db),
  )
}
