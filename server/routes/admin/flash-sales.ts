// Operators' flash sales.
import { z } from 'zod'
import {
  adminFlashSaleSchema,
  createFlashSale,
  endFlashSale,
  flashSaleInputSchema,
  listFlashSalesWithResults,
} from '../../../shared/marketing/flash-sale'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerAdminFlashSales(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/flash-sales',
    {
      summary: '秒杀活动（含已结束）及成交：已付款订单、购买人数、成交额',
      response: z.array(adminFlashSaleSchema),
    },
    () => listFlashSalesWithResults(deps.db, deps.clock.now()),
  )
  api.post(
    '/flash-sales',
    { summary: '新建秒杀（秒杀数量从商品库存中划出）', body: flashSaleInputSchema, status: 201 },
    ({ body }) => createFlashSale(deps.db, body),
  )
  api.post(
    '/flash-sales/:id/end',
    {
      summary: '结束秒杀（未售出数量退回商品库存）',
      params: z.object({ id: z.coerce.number().int().positive() }),
    },
    ({ params }) => endFlashSale(deps.db, params.id, deps.clock.now()),
  )
}
