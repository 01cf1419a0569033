// Flash sales on now or coming up (buying goes through POST /api/mp/orders with flashSale).
import { z } from 'zod'
import { listFlashSales } from '../../../shared/marketing/flash-sale'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const flashSaleSchema = z.object({
  id: z.number(),
  title: z.string(),
  skuId: z.number(),
  productId: z.number(),
  productTitle: z.string(),
  image: z.string().nullable(),
  listPriceFen: z.number(),
  priceFen: z.number(),
  totalStock: z.number(),
  stockLeft: z.number(),
  perMemberLimit: z.number(),
  state: z.enum(['upcoming', 'selling', 'sold_out']),
  startsAt: z.string(),
  endsAt: z.string(),
})

export function registerMpFlashSales(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/flash-sales',
    { summary: '进行中与即将开始的秒杀', response: z.array(flashSaleSchema) },
    async () => {
      const now = deps.clock.now()
      return (await listFlashSales(deps.db, now)).map(({ endedAt: _ended, ...f }) => ({
        ...f,
        state: f.startsAt > now ? 'upcoming' : f.stockLeft > 0 ? 'selling' : 'sold_out',
        startsAt: f.startsAt.toISOString(),
        endsAt: f.endsAt.toISOString(),
      }))
    },
  )
}
