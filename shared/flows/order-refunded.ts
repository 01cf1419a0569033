// What happens when an order is refunded in full, in one place; called once, inside the transaction
// that records the refund as succeeded (shared/payments/refunds.ts).
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { reversePointsForOrder } from '../points/earning'
import { onReferredOrderRefunded } from '../referral/order-attribution'
import { referralRebate } from './referral-rebate'
import { recordMemberEvent } from '../members/events'
import { orders } from '../db/schema/orders'

export async function onOrderRefunded(db: Db, orderId: number, at: Date): Promise<void> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  if (!order) throw new Error(`onOrderRefunded: order ${orderId} not found`)

  // 1. Take back the points the order earned (never below zero; the shortfall is written off).
  const reversal = await reversePointsForOrder(db, order.orderNo, at)

  // 2. The member's timeline.
  await recordMemberEvent(db, {
    memberId: order.memberId,
    type: 'order_refunded',
    occurredAt: at,
    sourceKey: `order_refunded:${order.orderNo}`,
    payload: {
      orderNo: order.orderNo,
      refundedFen: order.refundedFen,
      pointsReversed:
        reversal && !reversal.duplicate && reversal.entry.kind === 'reverse' ? -reversal.entry.amount : 0,
    },
  })

  // 3. The commission and the referrer's rebate on this order are taken back.
  await onReferredOrderRefunded(db, orderId, at, { rebate: referralRebate })
}
