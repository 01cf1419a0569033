// After-sale in the mini-program: ask for a refund or a return, see my requests, withdraw one.
import { z } from 'zod'
import {
  afterSaleInputSchema,
  afterSaleViewSchema,
  cancelAfterSale,
  listAfterSales,
  requestAfterSale,
} from '../../../shared/after-sale/service'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerMpAfterSales(api: ApiRouter, deps: AppDeps): void {
  api.post(
    '/after-sales',
    {
      summary: '申请售后（仅退款或退货退款，须在售后期限内）',
      description:
        '选择订单商品及数量、原因和图片；退货可使用会员的免费退货权益。退款金额按商品在实付中的占比计算。',
      body: afterSaleInputSchema,
      response: afterSaleViewSchema,
      status: 201,
    },
    async ({ body }, ctx) => {
      const r = await requestAfterSale(deps.db, ctx.state.memberId!, body, deps.clock.now())
      return (await listAfterSales(deps.db, { memberId: ctx.state.memberId! })).find((v) => v.id === r.id)
    },
  )

  api.get(
    '/after-sales',
    { summary: '我的售后申请', response: z.array(afterSaleViewSchema) },
    (_input, ctx) => listAfterSales(deps.db, { memberId: ctx.state.memberId! }),
  )

  api.post(
    '/after-sales/:id/cancel',
    {
      summary: '撤销未处理的售后申请',
      params: idParams,
      response: z.object({ id: z.number().int(), status: z.string() }),
    },
    async ({ params }, ctx) => {
      const r = await cancelAfterSale(deps.db, ctx.state.memberId!, params.id)
      return { id: r.id, status: r.status }
    },
  )
}
