// Demo mode for the mini-program: with no mini-program AppID (login) or no WeChat Pay merchant
// (payment) configured, a development login and a simulated payment let WeChat DevTools with the
// tourist appid browse and buy from the demo brand. Both are refused when NODE_ENV=production, and
// refused when the real credentials are configured, so they never stand in for WeChat.
import { eq, and } from 'drizzle-orm'
import { z } from 'zod'
import type { Clock } from '../clock'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { createMemberSession } from '../auth/service'
import { resolveIdentity } from '../members/identity'
import type { Member } from '../db/schema/members'
import { settleOrderPayment } from '../flows/order-paid'
import { orders } from '../db/schema/orders'

export const demoLoginSchema = z.object({
  deviceId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, '设备标识应为 8–64 位字母、数字、_ 或 -'),
})

/** The openid a demo device logs in as: prefixed so it can never be mistaken for WeChat's. */
export const demoOpenid = (deviceId: string) => `demo_${deviceId}`

function refuseUnlessDemo(config: Config, what: 'login' | 'pay'): void {
  if (config.NODE_ENV === 'production')
    throw new DomainError('demo_disabled', '生产环境不提供演示登录与模拟支付', 403)
  if (what === 'login' && config.WECHAT_MP_APPID)
    throw new DomainError('demo_disabled', '已配置小程序 AppID，请使用微信登录', 403)
  if (what === 'pay' && config.WECHATPAY_MCHID)
    throw new DomainError('demo_disabled', '已开通微信支付，请使用微信支付', 403)
}

export async function demoLogin(
  deps: { db: Db; clock: Clock; config: Config },
  deviceId: string,
): Promise<{ token: string; expiresAt: Date; member: Member; created: boolean }> {
  refuseUnlessDemo(deps.config, 'login')
  const resolution = await resolveIdentity(deps.db, {
    identities: [{ kind: 'mp_openid', value: demoOpenid(deviceId) }],
    source: 'miniprogram',
    at: deps.clock.now(),
  })
  const { token, expiresAt } = await createMemberSession(
    deps.db,
    deps.clock,
    resolution.member.id,
    deps.config.SESSION_TTL_HOURS,
  )
  return { token, expiresAt, member: resolution.member, created: resolution.created }
}

/** Pay a pending order of the member without WeChat Pay: the same PENDING → PAID move as a callback. */
export async function demoPay(
  deps: { db: Db; clock: Clock; config: Config },
  memberId: number,
  orderNo: string,
): Promise<{ orderNo: string; status: 'paid' }> {
  refuseUnlessDemo(deps.config, 'pay')
  const at = deps.clock.now()
  const [order] = await deps.db
    .select()
    .from(orders)
    .where(and(eq(orders.orderNo, orderNo), eq(orders.memberId, memberId)))
  if (!order) throw notFound('订单', 'order_not_found')
  if (order.status !== 'pending') throw new DomainError('order_not_pending', '订单已支付或已关闭', 409)
  if (order.expiresAt && order.expiresAt <= at)
    throw new DomainError('order_expired', '订单已超时，请重新下单', 409)
  const result = await settleOrderPayment(deps.db, {
    orderNo,
    transactionId: `DEMO${order.orderNo}`,
    paidAt: at,
  })
  if (result.outcome === 'closed') throw new DomainError('order_expired', '订单已关闭，请重新下单', 409)
  return { orderNo, status: 'paid' }
}
