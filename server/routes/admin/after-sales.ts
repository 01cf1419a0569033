// Operators' after-sale queue: requests by status, approve (refund through WeChat Pay) or refuse.
import { z } from 'zod'
import {
  afterSaleDecisionSchema,
  afterSaleViewSchema,
  decideAfterSale,
  listAfterSales,
} from '../../../shared/after-sale/service'
import { afterSaleStatuses } from '../../../shared/db/schema/after-sale'
import { wechatClients } from '../../../shared/wechat/clients'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminAfterSales(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/after-sales',
    {
      summary: '售后申请',
      query: z.object({
        status: z.enum(afterSaleStatuses).optional(),
        memberId: z.coerce.number().int().positive().optional(),
        /** Newest first: at most `limit` from `offset`. */
        limit: z.coerce.number().int().min(1).max(100).default(100),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }),
      response: z.array(afterSaleViewSchema),
    },
    ({ query }) =>
      listAfterSales(deps.db, {
        ...(query.status ? { status: query.status } : {}),
        ...(query.memberId ? { memberId: query.memberId } : {}),
        limit: query.limit,
        offset: query.offset,
      }),
  )
  api.post(
    '/after-sales/:id/decision',
    {
      summary: '处理售后：同意（经微信支付退款，全额退款时收回积分与佣金）或拒绝',
      params: idParams,
      body: afterSaleDecisionSchema,
      response: afterSaleViewSchema,
    },
    async ({ params, body }, ctx) => {
      const r = await decideAfterSale(
        deps.db,
        wechatClients(deps).pay,
        { requestId: params.id, approve: body.approve, note: body.note, operatorId: ctx.state.operator!.id },
        deps.clock.now(),
      )
      return (await listAfterSales(deps.db, { memberId: r.memberId })).find((v) => v.id === r.id)
    },
  )
}
