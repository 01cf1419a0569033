// Demo mode (no AppID / no WeChat Pay configured, never in production): a development login per
// DevTools device and a simulated payment, so the demo brand can be browsed and bought from.
import { z } from 'zod'
import { memberProfileSchema, presentProfile } from '../../../shared/members/profile'
import { demoLogin, demoLoginSchema, demoPay } from '../../../shared/wechat/demo'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const orderNoParams = z.object({ orderNo: z.string().regex(/^[A-Za-z0-9]{6,32}$/, '订单号格式不正确') })

export function registerMpDemo(publicApi: ApiRouter, api: ApiRouter, deps: AppDeps): void {
  publicApi.post(
    '/login/demo',
    {
      summary: '【演示模式】开发登录（未配置小程序 AppID 时；生产环境拒绝）',
      description:
        '以设备标识登录为演示会员；配置了 WECHAT_MP_APPID 或 NODE_ENV=production 时返回 403 demo_disabled。',
      body: demoLoginSchema,
      response: z.object({
        token: z.string(),
        expiresAt: z.string(),
        isNew: z.boolean(),
        demo: z.literal(true),
        member: memberProfileSchema,
      }),
    },
    async ({ body }) => {
      const r = await demoLogin(deps, body.deviceId)
      deps.logger.warn({ memberId: r.member.id }, 'demo login (no mini-program AppID configured)')
      return {
        token: r.token,
        expiresAt: r.expiresAt.toISOString(),
        isNew: r.created,
        demo: true as const,
        member: presentProfile(r.member),
      }
    },
  )

  api.post(
    '/orders/:orderNo/demo-pay',
    {
      summary: '【演示模式】模拟支付（未开通微信支付时；生产环境拒绝）',
      params: orderNoParams,
      response: z.object({ orderNo: z.string(), status: z.literal('paid') }),
    },
    async ({ params }, ctx) => {
      const r = await demoPay(deps, ctx.state.memberId!, params.orderNo)
      deps.logger.warn({ orderNo: r.orderNo }, 'demo payment (no WeChat Pay merchant configured)')
      return r
    },
  )
}
