// Paying for orders with WeChat Pay: prepay and the requestPayment parameters for the mini-program;
// the payment callback (verified, decrypted, checked against the order, applied once); the refund
// callback; and the jobs that close unpaid orders and reconcile payments whose callback never came.
import { and, eq, isNotNull, lt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import type { Logger } from '../logger'
import { memberIdentities } from '../db/schema/members'
import { cancelOrder, overdueOrders, productTitles } from '../orders/lifecycle'
import { settleOrderPayment } from '../flows/order-paid'
import { orders, type Order } from '../db/schema/orders'
import { NotificationRefused } from './notification'
import { applyRefundResult } from './refunds'
import { paymentNotifications } from '../db/schema/payments'
import {
  WechatPayError,
  type WechatPayClient,
  type WechatRefundNotice,
  type WechatTransaction,
} from './wechatpay-client'
import type { RequestPaymentParams } from './wechatpay-crypto'

export const paymentUnavailable = () => new DomainError('payment_unavailable', '暂未开通微信支付', 503)

/** Prepay an unpaid order of the member and give the mini-program what wx.requestPayment needs. */
export async function payOrder(
  db: Db,
  pay: WechatPayClient | null,
  memberId: number,
  orderNo: string,
  at: Date,
): Promise<{ orderNo: string; payment: RequestPaymentParams }> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orderNo, orderNo), eq(orders.memberId, memberId)))
  if (!order) throw notFound('订单', 'order_not_found')
  if (order.status !== 'pending') throw new DomainError('order_not_pending', '订单已支付或已关闭', 409)
  if (order.expiresAt && order.expiresAt <= at)
    throw new DomainError('order_expired', '订单已超时，请重新下单', 409)
  if (!pay) throw paymentUnavailable()
  const [openid] = await db
    .select({ value: memberIdentities.value })
    .from(memberIdentities)
    .where(and(eq(memberIdentities.memberId, memberId), eq(memberIdentities.kind, 'mp_openid')))
    .limit(1)
  if (!openid) throw new DomainError('openid_missing', '请在小程序内登录后再支付', 409)
  const titles = await productTitles(db, order.id)
  const description =
    order.kind === 'membership'
      ? '会员年费'
      : titles.length > 1
        ? `${titles[0]} 等${titles.length}件商品`
        : (titles[0] ?? '商品')
  let prepayId: string
  try {
    prepayId = await pay.jsapiPrepay({
      outTradeNo: order.orderNo,
      description,
      totalFen: order.payFen,
      openid: openid.value,
      ...(order.expiresAt ? { expiresAt: order.expiresAt } : {}),
    })
  } catch (err) {
    if (err instanceof WechatPayError && err.code === 'ORDERPAID')
      throw new DomainError('order_already_paid', '订单已支付，请勿重复付款', 409)
    if (err instanceof WechatPayError && err.code === 'ORDER_CLOSED')
      throw new DomainError('order_expired', '订单已关闭，请重新下单', 409)
    throw new DomainError('payment_failed', '发起支付失败，请稍后重试', 502)
  }
  await db.update(orders).set({ prepayId, prepayAt: at }).where(eq(orders.id, order.id))
  return { orderNo: order.orderNo, payment: pay.requestPaymentParams(prepayId) }
}

export type ApplyOutcome =
  | 'applied'
  | 'duplicate'
  | 'ignored'
  | 'unknown_order'
  | 'amount_mismatch'
  | 'mchid_mismatch'
  | 'appid_mismatch'
  | 'order_closed'

const REFUSED: ApplyOutcome[] = ['unknown_order', 'amount_mismatch', 'mchid_mismatch', 'appid_mismatch']

/**
 * Apply what WeChat Pay says about a transaction: only a SUCCESS for this merchant and app, for an
 * order we have, for exactly its amount, moves it to PAID — once.
 */
export async function applyTransaction(
  db: Db,
  pay: Pick<WechatPayClient, 'mchid' | 'appid'>,
  tx: WechatTransaction,
  at: Date,
): Promise<{ outcome: ApplyOutcome; order?: Order }> {
  if (tx.mchid !== pay.mchid) return { outcome: 'mchid_mismatch' }
  if (tx.appid !== pay.appid) return { outcome: 'appid_mismatch' }
  if (tx.trade_state !== 'SUCCESS') return { outcome: 'ignored' }
  const [order] = await db.select().from(orders).where(eq(orders.orderNo, tx.out_trade_no))
  if (!order) return { outcome: 'unknown_order' }
  if (tx.amount?.total !== order.payFen) return { outcome: 'amount_mismatch', order }
  const paidAt = tx.success_time ? new Date(tx.success_time) : at
  const result = await settleOrderPayment(db, {
    orderNo: order.orderNo,
    transactionId: tx.transaction_id ?? null,
    paidAt: Number.isNaN(paidAt.getTime()) ? at : paidAt,
  })
  if (result.outcome === 'closed') return { outcome: 'order_closed', order: result.order }
  return { outcome: result.outcome === 'paid' ? 'applied' : 'duplicate', order: result.order }
}

export interface NotifyResult {
  status: 204 | 400 | 401 | 404 | 500
  outcome: string
}

/** POST /pay/notify: verify, decrypt, apply. 204 for applied and repeated callbacks alike. */
export async function handlePaymentNotification(
  db: Db,
  pay: WechatPayClient,
  log: Logger,
  request: { headers: Record<string, string | string[] | undefined>; rawBody: string },
  at: Date,
): Promise<NotifyResult> {
  let opened
  try {
    opened = pay.openNotification(request.headers, request.rawBody)
  } catch (err) {
    if (err instanceof NotificationRefused) {
      log.warn({ reason: err.reason }, 'WeChat Pay notification refused')
      return { status: err.status, outcome: err.reason }
    }
    throw err
  }
  const { notification } = opened
  if (notification.event_type !== 'TRANSACTION.SUCCESS') {
    await recordNotification(db, {
      notifyId: notification.id,
      eventType: notification.event_type,
      outcome: 'duplicate',
      reason: 'event_ignored',
      at,
    })
    return { status: 204, outcome: 'ignored' }
  }
  let tx: WechatTransaction
  try {
    tx = JSON.parse(opened.plaintext) as WechatTransaction
  } catch {
    return { status: 400, outcome: 'malformed_resource' }
  }
  const result = await applyTransaction(db, pay, tx, at)
  const refused = REFUSED.includes(result.outcome)
  await recordNotification(db, {
    notifyId: notification.id,
    eventType: notification.event_type,
    outTradeNo: tx.out_trade_no,
    transactionId: tx.transaction_id ?? null,
    outcome: result.outcome === 'applied' ? 'applied' : refused ? 'rejected' : 'duplicate',
    reason: result.outcome === 'applied' || result.outcome === 'duplicate' ? null : result.outcome,
    at,
  })
  const fields = { outTradeNo: tx.out_trade_no, transactionId: tx.transaction_id, outcome: result.outcome }
  if (result.outcome === 'amount_mismatch')
    log.error(
      { ...fields, paidFen: tx.amount?.total, orderPayFen: result.order?.payFen },
      'payment amount does not match the order: refused',
    )
  else if (result.outcome === 'order_closed')
    log.error(fields, 'payment received for a closed order: refund it from the console')
  else if (refused) log.warn(fields, 'payment notification refused')
  else log.info(fields, 'payment notification')
  if (result.outcome === 'unknown_order') return { status: 404, outcome: result.outcome }
  if (refused) return { status: 400, outcome: result.outcome }
  return { status: 204, outcome: result.outcome }
}

/** POST /pay/refund-notify: verify, decrypt, settle the refund once. */
export async function handleRefundNotification(
  db: Db,
  pay: WechatPayClient,
  log: Logger,
  request: { headers: Record<string, string | string[] | undefined>; rawBody: string },
  at: Date,
): Promise<NotifyResult> {
  let opened
  try {
    opened = pay.openNotification(request.headers, request.rawBody)
  } catch (err) {
    if (err instanceof NotificationRefused) {
      log.warn({ reason: err.reason }, 'WeChat Pay refund notification refused')
      return { status: err.status, outcome: err.reason }
    }
    throw err
  }
  const { notification } = opened
  const notice = JSON.parse(opened.plaintext) as WechatRefundNotice
  if (notice.mchid !== pay.mchid) {
    await recordNotification(db, {
      notifyId: notification.id,
      eventType: notification.event_type,
      outRefundNo: notice.out_refund_no,
      outcome: 'rejected',
      reason: 'mchid_mismatch',
      at,
    })
    return { status: 400, outcome: 'mchid_mismatch' }
  }
  try {
    await applyRefundResult(db, {
      outRefundNo: notice.out_refund_no,
      refundId: notice.refund_id,
      status: notice.refund_status,
      at: notice.success_time ? new Date(notice.success_time) : at,
    })
  } catch (err) {
    if (err instanceof DomainError && err.status === 404) {
      await recordNotification(db, {
        notifyId: notification.id,
        eventType: notification.event_type,
        outRefundNo: notice.out_refund_no,
        outcome: 'rejected',
        reason: 'unknown_refund',
        at,
      })
      return { status: 404, outcome: 'unknown_refund' }
    }
    throw err
  }
  await recordNotification(db, {
    notifyId: notification.id,
    eventType: notification.event_type,
    outTradeNo: notice.out_trade_no,
    outRefundNo: notice.out_refund_no,
    transactionId: notice.transaction_id,
    outcome: 'applied',
    at,
  })
  log.info({ outRefundNo: notice.out_refund_no, status: notice.refund_status }, 'refund notification')
  return { status: 204, outcome: 'applied' }
}

async function recordNotification(
  db: Db,
  n: {
    notifyId: string
    eventType: string
    outTradeNo?: string | null
    outRefundNo?: string | null
    transactionId?: string | null
    outcome: 'applied' | 'duplicate' | 'rejected'
    reason?: string | null
    at: Date
  },
) {
  await db.insert(paymentNotifications).values({
    notifyId: n.notifyId,
    eventType: n.eventType,
    outTradeNo: n.outTradeNo ?? null,
    outRefundNo: n.outRefundNo ?? null,
    transactionId: n.transactionId ?? null,
    outcome: n.outcome,
    reason: n.reason ?? null,
    receivedAt: n.at,
  })
}

/**
 * Unpaid orders past their deadline: close them at WeChat Pay first (so they can no longer be paid),
 * then cancel them and release their stock. An order WeChat says was paid after all is applied instead.
 */
export async function expireUnpaidOrders(
  db: Db,
  pay: WechatPayClient | null,
  log: Logger,
  at: Date,
): Promise<{ cancelled: number; paid: number }> {
  let cancelled = 0
  let paid = 0
  for (const order of await overdueOrders(db, at)) {
    if (order.prepayId && pay) {
      try {
        await pay.close(order.orderNo)
      } catch (err) {
        if (err instanceof WechatPayError && err.code === 'ORDERPAID') {
          const tx = await pay.queryByOutTradeNo(order.orderNo)
          if (tx && (await applyTransaction(db, pay, tx, at)).outcome === 'applied') paid++
          continue
        }
        if (!(err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST')) {
          log.warn({ err, orderNo: order.orderNo }, 'could not close the order at WeChat Pay; will retry')
          continue
        }
      }
    }
    if (await cancelOrder(db, order.id, 'payment_timeout', at)) cancelled++
  }
  return { cancelled, paid }
}

/** Pending orders with a prepay older than `olderThanMs`: ask WeChat Pay, apply any payment we missed. */
export async function reconcilePendingPayments(
  db: Db,
  pay: WechatPayClient,
  at: Date,
  olderThanMs = 5 * 60_000,
): Promise<{ checked: number; applied: number }> {
  const stale = await db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, 'pending'),
        isNotNull(orders.prepayId),
        lt(orders.prepayAt, new Date(at.getTime() - olderThanMs)),
      ),
    )
    .limit(200)
  let applied = 0
  for (const order of stale) {
    const tx = await pay.queryByOutTradeNo(order.orderNo)
    if (tx && (await applyTransaction(db, pay, tx, at)).outcome === 'applied') applied++
  }
  return { checked: stale.length, applied }
}

/** Cancel a member's own unpaid order (closing it at WeChat Pay first when it was prepaid). */
export async function cancelByMember(
  db: Db,
  pay: WechatPayClient | null,
  memberId: number,
  orderNo: string,
  at: Date,
): Promise<Order> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orderNo, orderNo), eq(orders.memberId, memberId)))
  if (!order) throw notFound('订单', 'order_not_found')
  if (order.status !== 'pending') throw new DomainError('order_not_pending', '只能取消待付款的订单', 409)
  if (order.prepayId && pay) {
    try {
      await pay.close(order.orderNo)
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'ORDERPAID') {
        const tx = await pay.queryByOutTradeNo(order.orderNo)
        if (tx) await applyTransaction(db, pay, tx, at)
        throw new DomainError('order_already_paid', '订单已支付，不能取消', 409)
      }
      if (!(err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST')) throw err
    }
  }
  const cancelled = await cancelOrder(db, order.id, 'member_cancelled', at)
  if (!cancelled) throw new DomainError('order_not_pending', '订单已支付或已关闭', 409)
  return cancelled
}
