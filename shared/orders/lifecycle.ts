// An order's state machine after checkout. Each transition is one conditional update on the order's
// status inside a transaction, so it happens once whatever the concurrency:
//   pending → paid (payment) → shipped (operator) → completed (member confirms)
//   pending → cancelled (member, expiry): stock, flash-sale units, coupon, points and group seat released
//   paid/shipped/completed → refunded (full refund; see shared/payments/refunds.ts)
import { orderStatusNames } from './labels'
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { conflict, DomainError, notFound } from '../errors'
import { releaseBargain } from '../bargain/service'
import { products, skus } from '../db/schema/catalog'
import { releaseCoupons } from '../coupons/service'
import { defaultPointsExpiry } from '../points/earning'
import { grantPoints } from '../points/ledger'
import { releaseFlashSale } from '../marketing/flash-sale'
import { groupAllowsShipping, releaseGroupSeat } from '../marketing/group-buy'
import { orderItems, orders, type Order } from '../db/schema/orders'

export type PaidOutcome =
  | { outcome: 'paid'; order: Order }
  | { outcome: 'already_paid'; order: Order }
  | { outcome: 'closed'; order: Order }

/**
 * PENDING → PAID, exactly once: the conditional update alone, inside the caller's transaction. What
 * follows a payment runs in `shared/flows/order-paid.ts` (settleOrderPayment), which calls this.
 * A repeat is 'already_paid'; an order closed meanwhile is 'closed'.
 */
export async function transitionToPaid(
  tx: Db,
  input: { orderNo: string; transactionId: string | null; paidAt: Date },
): Promise<PaidOutcome> {
  const [order] = await tx
    .update(orders)
    .set({ status: 'paid', paidAt: input.paidAt, transactionId: input.transactionId, expiresAt: null })
    .where(and(eq(orders.orderNo, input.orderNo), eq(orders.status, 'pending')))
    .returning()
  if (order) return { outcome: 'paid', order }
  const [current] = await tx.select().from(orders).where(eq(orders.orderNo, input.orderNo))
  if (!current) throw notFound('订单', 'order_not_found')
  return { outcome: current.status === 'cancelled' ? 'closed' : 'already_paid', order: current }
}

/**
 * PENDING → CANCELLED and release everything the order held, once. Returns null when the order was
 * no longer pending (paid meanwhile, or already cancelled).
 */
export async function cancelOrder(db: Db, orderId: number, reason: string, at: Date): Promise<Order | null> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const [order] = await tx
      .update(orders)
      .set({ status: 'cancelled', closedAt: at, cancelReason: reason, expiresAt: null })
      .where(and(eq(orders.id, orderId), eq(orders.status, 'pending')))
      .returning()
    if (!order) return null
    await releaseHoldings(tx, order, at)
    return order
  })
}

/** Give back what an order held: stock (or flash-sale or bargain units), coupon, points, group seat. */
export async function releaseHoldings(
  tx: Db,
  order: Order,
  at: Date,
  options: { stock?: boolean } = {},
): Promise<void> {
  const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id))
  // A bargain's unit belongs to its campaign, not to the SKU.
  const bargain = await releaseBargain(tx, order, at, options)
  if (options.stock !== false && !bargain) {
    for (const item of [...items].sort((a, b) => a.skuId - b.skuId)) {
      if (order.flashSaleId) {
        await releaseFlashSale(tx, {
          flashSaleId: order.flashSaleId,
          memberId: order.memberId,
          skuId: item.skuId,
          quantity: item.quantity,
        })
      } else {
        await tx
          .update(skus)
          .set({ stock: sql`${skus.stock} + ${item.quantity}` })
          .where(eq(skus.id, item.skuId))
      }
    }
  }
  await releaseCoupons(tx, order.id)
  await releaseGroupSeat(tx, order, at)
  if (order.pointsUsed > 0) {
    await grantPoints(tx, {
      memberId: order.memberId,
      amount: order.pointsUsed,
      sourceKey: `order:${order.orderNo}:deduct-return`,
      reason: `订单 ${order.orderNo} 取消，退回抵扣积分`,
      at,
      expiresAt: defaultPointsExpiry(at),
      kind: 'adjust',
    })
  }
}

/** Operator ships a paid order (a group-buy order only once its group has succeeded). */
export async function shipOrder(
  db: Db,
  orderNo: string,
  input: { shippingCompany: string; trackingNo: string },
  at: Date,
): Promise<Order> {
  const [order] = await db.select().from(orders).where(eq(orders.orderNo, orderNo))
  if (!order) throw notFound('订单', 'order_not_found')
  if (order.kind === 'membership') throw conflict('order_not_shippable', '会员订单无需发货')
  if (!(await groupAllowsShipping(db, order)))
    throw conflict('group_not_succeeded', '拼团尚未成功，暂不能发货')
  const [shipped] = await db
    .update(orders)
    .set({ status: 'shipped', shippedAt: at, ...input })
    .where(and(eq(orders.id, order.id), eq(orders.status, 'paid')))
    .returning()
  if (!shipped) throw conflict('order_not_paid', `订单当前状态为「${statusName(order.status)}」，不能发货`)
  return shipped
}

/** The member confirms receipt. */
export async function confirmReceipt(db: Db, memberId: number, orderNo: string, at: Date): Promise<Order> {
  const [done] = await db
    .update(orders)
    .set({ status: 'completed', completedAt: at })
    .where(and(eq(orders.orderNo, orderNo), eq(orders.memberId, memberId), eq(orders.status, 'shipped')))
    .returning()
  if (!done) throw new DomainError('order_not_shipped', '订单未发货或已完成', 409)
  return done
}

/** Orders still pending past their payment deadline (the expiry job works through them). */
export async function overdueOrders(db: Db, at: Date, limit = 200): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'pending'), sql`${orders.expiresAt} <= ${at.toISOString()}::timestamptz`))
    .orderBy(orders.expiresAt)
    .limit(limit)
}

export async function orderByNo(db: Db, orderNo: string): Promise<Order> {
  const [order] = await db.select().from(orders).where(eq(orders.orderNo, orderNo))
  if (!order) throw notFound('订单', 'order_not_found')
  return order
}

export async function productTitles(db: Db, orderId: number): Promise<string[]> {
  const items = await db
    .select({ title: products.title })
    .from(orderItems)
    .innerJoin(products, eq(products.id, orderItems.productId))
    .where(inArray(orderItems.orderId, [orderId]))
  return items.map((i) => i.title)
}

export const statusName = (s: Order['status']) => orderStatusNames[s]
