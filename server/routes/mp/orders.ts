// Orders in the mini-program: price preview, place, pay (requestPayment parameters), list, detail,
// cancel, confirm receipt. Paid memberships are ordered here too (membershipLevelId).
import { z } from 'zod'
import { orderOf } from '../../../shared/orders/checkout'
import { checkoutInputSchema, previewOrder } from '../../../shared/orders/quote'
import { checkout as checkoutOrder } from '../../../shared/flows/checkout'
import { confirmReceipt } from '../../../shared/orders/lifecycle'
import {
  listMyOrders,
  myOrdersQuerySchema,
  orderView,
  orderViewSchema,
  presentOrder,
} from '../../../shared/orders/queries'
import { cancelByMember, payOrder } from '../../../shared/payments/service'
import { wechatClients } from '../../../shared/wechat/clients'
import { orderPageSchema, quoteSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const orderNoParams = z.object({ orderNo: z.string().regex(/^[A-Za-z0-9]{6,32}$/, '订单号格式不正确') })
const paymentSchema = z.object({
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.literal('RSA'),
  paySign: z.string(),
})

export function registerMpOrders(api: ApiRouter, deps: AppDeps): void {
  const checkout = { db: deps.db, clock: deps.clock, flashSales: deps.readCaches?.flashSales }

  api.post(
    '/orders/preview',
    {
      summary: '结算预览：服务端计算会员价、优惠券、积分抵扣、运费与实付',
      body: checkoutInputSchema,
      response: quoteSchema,
    },
    ({ body }, ctx) => previewOrder(checkout, ctx.state.memberId!, body),
  )

  api.post(
    '/orders',
    {
      summary: '下单（占用库存、优惠券与积分；超时未付自动取消并释放）',
      body: checkoutInputSchema,
      status: 201,
      response: orderViewSchema,
    },
    async ({ body }, ctx) => {
      const { order, items, groupShareCode } = await checkoutOrder(checkout, ctx.state.memberId!, body)
      return orderView(order, items, groupShareCode)
    },
  )

  api.get(
    '/orders',
    { summary: '我的订单', query: myOrdersQuerySchema, response: orderPageSchema },
    ({ query }, ctx) => listMyOrders(deps.db, ctx.state.memberId!, query),
  )

  api.get(
    '/orders/:orderNo',
    { summary: '订单详情', params: orderNoParams, response: orderViewSchema },
    async ({ params }, ctx) =>
      presentOrder(deps.db, await orderOf(deps.db, ctx.state.memberId!, params.orderNo)),
  )

  api.post(
    '/orders/:orderNo/pay',
    {
      summary: '发起微信支付：返回 wx.requestPayment 所需参数',
      params: orderNoParams,
      response: z.object({ orderNo: z.string(), payment: paymentSchema }),
    },
    ({ params }, ctx) =>
      payOrder(deps.db, wechatClients(deps).pay, ctx.state.memberId!, params.orderNo, deps.clock.now()),
  )

  api.post(
    '/orders/:orderNo/cancel',
    { summary: '取消待付款订单', params: orderNoParams, response: orderViewSchema },
    async ({ params }, ctx) =>
      presentOrder(
        deps.db,
        await cancelByMember(
          deps.db,
          wechatClients(deps).pay,
          ctx.state.memberId!,
          params.orderNo,
          deps.clock.now(),
        ),
      ),
  )

  api.post(
    '/orders/:orderNo/confirm',
    { summary: '确认收货', params: orderNoParams, response: orderViewSchema },
    async ({ params }, ctx) =>
      presentOrder(
        deps.db,
        await confirmReceipt(deps.db, ctx.state.memberId!, params.orderNo, deps.clock.now()),
      ),
  )
}
