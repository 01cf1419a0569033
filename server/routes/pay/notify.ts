// WeChat Pay callbacks. The signature is checked against the raw body exactly as received; success is
// 204 with no body, failure a status WeChat retries on with its {code, message} body.
import type { ApiContext, ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import {
  handlePaymentNotification,
  handleRefundNotification,
  type NotifyResult,
} from '../../../shared/payments/service'
import { wechatClients } from '../../../shared/wechat/clients'

function answer(ctx: ApiContext, result: NotifyResult) {
  ctx.status = result.status
  if (result.status !== 204) ctx.body = { code: 'FAIL', message: `失败：${result.outcome}` }
}

export function registerPayNotify(api: ApiRouter, deps: AppDeps): void {
  const request = (ctx: ApiContext) => ({
    headers: ctx.headers,
    rawBody: (ctx.request as unknown as { rawBody?: string }).rawBody ?? '',
  })

  api.post(
    '/pay/notify',
    { summary: '微信支付结果通知（签名校验、解密、金额核对、只入账一次）', status: 204 },
    async (_i, ctx) => {
      const pay = wechatClients(deps).pay
      if (!pay) return answer(ctx, { status: 404, outcome: 'payment_not_configured' })
      answer(
        ctx,
        await handlePaymentNotification(deps.db, pay, ctx.state.log, request(ctx), deps.clock.now()),
      )
    },
  )

  api.post('/pay/refund-notify', { summary: '微信支付退款结果通知', status: 204 }, async (_i, ctx) => {
    const pay = wechatClients(deps).pay
    if (!pay) return answer(ctx, { status: 404, outcome: 'payment_not_configured' })
    answer(ctx, await handleRefundNotification(deps.db, pay, ctx.state.log, request(ctx), deps.clock.now()))
  })
}
