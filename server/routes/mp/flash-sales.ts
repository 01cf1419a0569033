// Flash sales on now or coming up (buying goes through POST /api/mp/orders with flashSale).
import { listFlashSales } from '../../../shared/marketing/flash-sale'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpFlashSales(api: ApiRouter, deps: AppDeps): void {
  api.get('/flash-sales', { summary: '进行中与即将开始的秒杀' }, async () => {
    const now = deps.clock.now()
    return (await listFlashSales(deps.db, now)).map((f) => ({
      ...f,
      state: f.startsAt > now ? 'upcoming' : f.stockLeft > 0 ? 'selling' : 'sold_out',
      startsAt: f.startsAt.toISOString(),
      endsAt: f.endsAt.toISOString(),
      endedAt: undefined,
    }))
  })
}
