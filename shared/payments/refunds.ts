// Refunds: recorded first (inside whatever transaction decided on them, with their own out_refund_no),
// then submitted to WeChat Pay — resubmitting is safe, WeChat answers the same refund for the same
// number — and settled by the refund callback or the reconciliation job. A full refund moves the order
// to 'refunded' and runs onOrderRefunded once.
import { and, eq, isNull, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { conflict, DomainError, invalid } from '../errors'
import { onOrderRefunded } from '../flows/order-refunded'
import { releaseHoldings } from '../orders/lifecycle'
import { orders, type Order } from '../db/schema/orders'
import { orderRefunds, type OrderRefund, type RefundStatus } from '../db/schema/payments'
import { WechatPayError, type RefundState, type WechatPayClient } from './wechatpay-client'

const REFUNDABLE: Order['status'][] = ['paid', 'shipped', 'completed']

/** Record a refund inside the caller's transaction (the order row is locked while deciding). */
export async function recordRefund(
  tx: Db,
  input: { orderId: number; amountFen?: number; reason: string; requestedBy: string; at: Date },
): Promise<OrderRefund> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for('update')
  if (!order) throw new DomainError('order_not_found', '订单不存在', 404)
  if (!REFUNDABLE.includes(order.status)) throw conflict('order_not_refundable', '该订单当前状态不能退款')
  const [open] = await tx
    .select({
      n: sql<number>`count(*)::int`,
      fen: sql<number>`coalesce(sum(${orderRefunds.amountFen}) filter (where ${orderRefunds.status} = 'processing'), 0)::int`,
    })
    .from(orderRefunds)
    .where(eq(orderRefunds.orderId, order.id))
  const refundable = order.payFen - order.refundedFen - open!.fen
  const amount = input.amountFen ?? refundable
  if (amount <= 0 || amount > refundable)
    throw invalid('amountFen', `可退金额为 ${(refundable / 100).toFixed(2)} 元`, 'refund_amount_invalid')
  const [refund] = await tx
    .insert(orderRefunds)
    .values({
      orderId: order.id,
      outRefundNo: `${order.orderNo}R${open!.n + 1}`,
      amountFen: amount,
      reason: input.reason,
      requestedBy: input.requestedBy,
      createdAt: input.at,
    })
    .returning()
  return refund!
}

/**
 * Send a recorded refund to WeChat Pay (or settle it at once for an order nobody paid money for).
 * Returns the refund as it now stands.
 */
export async function submitRefund(
  db: Db,
  pay: WechatPayClient | null,
  refund: OrderRefund,
  at: Date,
): Promise<OrderRefund> {
  const [order] = await db.select().from(orders).where(eq(orders.id, refund.orderId))
  if (!order!.transactionId) {
    // Paid entirely with points or coupons: nothing to send back through WeChat Pay.
    return applyRefundResult(db, { outRefundNo: refund.outRefundNo, refundId: null, status: 'SUCCESS', at })
  }
  if (!pay) throw new DomainError('payment_unavailable', '未配置微信支付，无法退款', 503)
  try {
    const r = await pay.refund({
      outTradeNo: order!.orderNo,
      outRefundNo: refund.outRefundNo,
      reason: refund.reason,
      refundFen: refund.amountFen,
      totalFen: order!.payFen,
    })
    await db.update(orderRefunds).set({ refundId: r.refund_id }).where(eq(orderRefunds.id, refund.id))
    if (r.status !== 'PROCESSING')
      return applyRefundResult(db, {
        outRefundNo: refund.outRefundNo,
        refundId: r.refund_id,
        status: r.status,
        at,
      })
    const [now] = await db.select().from(orderRefunds).where(eq(orderRefunds.id, refund.id))
    return now!
  } catch (err) {
    if (err instanceof WechatPayError && err.status >= 400 && err.status < 500) {
      // WeChat refused it for good (amount, balance, order state): close it so the money is refundable again.
      await db.update(orderRefunds).set({ status: 'closed' }).where(eq(orderRefunds.id, refund.id))
      throw new DomainError('refund_refused', `微信支付拒绝退款：${err.detail}`, 502)
    }
    throw err
  }
}

/** Operator or system: record and submit a refund of an order (full when no amount is given). */
export async function requestRefund(
  db: Db,
  pay: WechatPayClient | null,
  input: { orderNo: string; amountFen?: number; reason: string; requestedBy: string; at: Date },
): Promise<OrderRefund> {
  const refund = await db.transaction(async (tx) => {
    const [order] = await tx.select({ id: orders.id }).from(orders).where(eq(orders.orderNo, input.orderNo))
    if (!order) throw new DomainError('order_not_found', '订单不存在', 404)
    return recordRefund(tx as unknown as Db, { ...input, orderId: order.id })
  })
  return submitRefund(db, pay, refund, input.at)
}

const STATUS: Record<RefundState, RefundStatus> = {
  SUCCESS: 'success',
  CLOSED: 'closed',
  ABNORMAL: 'abnormal',
  PROCESSING: 'processing',
}

/**
 * Settle a refund once (callback, submit answer or reconciliation): on success the order's refunded
 * amount grows; a full refund moves it to 'refunded', returns stock of an order never shipped and runs
 * onOrderRefunded — all in one transaction.
 */
export async function applyRefundResult(
  db: Db,
  input: { outRefundNo: string; refundId: string | null; status: RefundState; at: Date },
): Promise<OrderRefund> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const [refund] = await tx
      .update(orderRefunds)
      .set({
        status: STATUS[input.status],
        ...(input.refundId ? { refundId: input.refundId } : {}),
        ...(input.status === 'SUCCESS' ? { succeededAt: input.at } : {}),
      })
      .where(and(eq(orderRefunds.outRefundNo, input.outRefundNo), eq(orderRefunds.status, 'processing')))
      .returning()
    if (!refund) {
      const [current] = await tx
        .select()
        .from(orderRefunds)
        .where(eq(orderRefunds.outRefundNo, input.outRefundNo))
      if (!current) throw new DomainError('refund_not_found', '退款单不存在', 404)
      return current
    }
    if (input.status !== 'SUCCESS') return refund
    const [order] = await tx
      .update(orders)
      .set({ refundedFen: sql`${orders.refundedFen} + ${refund.amountFen}` })
      .where(eq(orders.id, refund.orderId))
      .returning()
    if (order!.refundedFen >= order!.payFen) {
      const [full] = await tx
        .update(orders)
        .set({ status: 'refunded', closedAt: input.at })
        .where(and(eq(orders.id, order!.id), sql`${orders.status} <> 'refunded'`))
        .returning()
      if (full) {
        await releaseHoldings(tx, { ...full, groupBuyGroupId: null }, input.at, {
          stock: full.shippedAt === null,
        })
        await onOrderRefunded(tx, full.id, input.at)
      }
    }
    return refund
  })
}

/** Refunds still processing: submit those WeChat never received, ask about the others. */
export async function reconcileRefunds(
  db: Db,
  pay: WechatPayClient,
  at: Date,
  olderThanMs = 5 * 60_000,
): Promise<{ submitted: number; settled: number }> {
  const stale = await db
    .select()
    .from(orderRefunds)
    .where(
      and(
        eq(orderRefunds.status, 'processing'),
        lt(orderRefunds.createdAt, new Date(at.getTime() - olderThanMs)),
      ),
    )
    .limit(200)
  let submitted = 0
  let settled = 0
  for (const refund of stale) {
    if (refund.refundId === null) {
      await submitRefund(db, pay, refund, at).catch(() => undefined)
      submitted++
      continue
    }
    const r = await pay.queryRefund(refund.outRefundNo)
    if (r && r.status !== 'PROCESSING') {
      await applyRefundResult(db, {
        outRefundNo: refund.outRefundNo,
        refundId: r.refund_id,
        status: r.status,
        at,
      })
      settled++
    }
  }
  return { submitted, settled }
}

/** Refunds never submitted (e.g. recorded by the group-buy failure job): submit them now. */
export async function submitRecordedRefunds(db: Db, pay: WechatPayClient | null, at: Date): Promise<number> {
  const waiting = await db
    .select()
    .from(orderRefunds)
    .where(and(eq(orderRefunds.status, 'processing'), isNull(orderRefunds.refundId)))
    .limit(200)
  let n = 0
  for (const refund of waiting) {
    try {
      await submitRefund(db, pay, refund, at)
      n++
    } catch {
      // left processing (or closed when refused); the next run or an operator deals with it
    }
  }
  return n
}
