// Operators' orders: list and filter, detail, ship (with WeChat's shipping-info upload), refund.
import { z } from 'zod'
import { shipOrder } from '../../../shared/orders/lifecycle'
import {
  adminOrderDetailSchema,
  adminOrderListSchema,
  adminOrdersQuerySchema,
  listOrdersForOperator,
  orderDetailForOperator,
} from '../../../shared/orders/queries'
import { requestRefund } from '../../../shared/payments/refunds'
import { memberIdentities } from '../../../shared/db/schema/members'
import { productTitles } from '../../../shared/orders/lifecycle'
import { wechatClients } from '../../../shared/wechat/clients'
import { and, eq } from 'drizzle-orm'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const orderNoParams = z.object({ orderNo: z.string().regex(/^[A-Za-z0-9]{6,32}$/, '订单号格式不正确') })

export function registerAdminOrders(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/orders',
    {
      summary: '订单列表（状态、类型、会员、时间、关键词）',
      query: adminOrdersQuerySchema,
      response: adminOrderListSchema,
    },
    ({ query }) => listOrdersForOperator(deps.db, query),
  )

  api.get(
    '/orders/:orderNo',
    { summary: '订单详情（含退款记录）', params: orderNoParams, response: adminOrderDetailSchema },
    ({ params }) => orderDetailForOperator(deps.db, params.orderNo),
  )

  api.post(
    '/orders/:orderNo/ship',
    {
      summary: '发货（并向微信上传发货信息）',
      params: orderNoParams,
      response: adminOrderDetailSchema.extend({ wechatShippingUploaded: z.boolean() }),
      body: z.object({
        shippingCompany: z.string().trim().min(1, '请填写快递公司').max(30),
        trackingNo: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9-]{5,40}$/, '运单号格式不正确'),
      }),
    },
    async ({ params, body }, ctx) => {
      const at = deps.clock.now()
      const order = await shipOrder(deps.db, params.orderNo, body, at)
      const { mp } = wechatClients(deps)
      let wechatShippingUploaded = false
      if (mp && order.transactionId) {
        const [openid] = await deps.db
          .select({ value: memberIdentities.value })
          .from(memberIdentities)
          .where(and(eq(memberIdentities.memberId, order.memberId), eq(memberIdentities.kind, 'mp_openid')))
          .limit(1)
        try {
          await mp.uploadShippingInfo({
            transactionId: order.transactionId,
            logisticsType: 1,
            shippingList: [
              {
                trackingNo: body.trackingNo,
                expressCompany: body.shippingCompany,
                itemDesc: (await productTitles(deps.db, order.id)).join('、').slice(0, 120) || '商品',
              },
            ],
            uploadTime: at,
            payerOpenid: openid?.value ?? '',
          })
          wechatShippingUploaded = true
        } catch (err) {
          ctx.state.log.warn({ err, orderNo: order.orderNo }, 'shipping info upload to WeChat failed')
        }
      }
      return { ...(await orderDetailForOperator(deps.db, order.orderNo)), wechatShippingUploaded }
    },
  )

  api.post(
    '/orders/:orderNo/refund',
    {
      summary: '退款（不填金额为全额退款）',
      params: orderNoParams,
      response: z.object({ outRefundNo: z.string(), amountFen: z.number().int(), status: z.string() }),
      body: z.object({
        amountFen: z.number().int().min(1).optional(),
        reason: z.string().trim().min(1, '请填写退款原因').max(80),
      }),
    },
    async ({ params, body }, ctx) => {
      const refund = await requestRefund(deps.db, wechatClients(deps).pay, {
        orderNo: params.orderNo,
        ...(body.amountFen ? { amountFen: body.amountFen } : {}),
        reason: body.reason,
        requestedBy: `operator:${ctx.state.operator!.id}`,
        at: deps.clock.now(),
      })
      return { outRefundNo: refund.outRefundNo, amountFen: refund.amountFen, status: refund.status }
    },
  )
}
