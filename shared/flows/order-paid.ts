// What happens when an order is paid, in one place. Called exactly once per order, inside the same
// transaction that moved it PENDING → PAID (shared/orders/lifecycle.ts markOrderPaid), so either all of
// it happens with the payment or none of it does and WeChat's retry (or the reconciliation job) tries
// again. Every step must be idempotent and must not call services outside the database.
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { awardPointsForOrder } from '../loyalty/earning'
import { evaluateTiersAfterPayment } from '../loyalty/tiers'
import { grantLotteryDrawsForOrder } from '../lottery/service'
import { onReferredOrderPaid } from '../referral/order-attribution'
import { referralRebate } from './referral-rebate'
import { recordMemberEvent } from '../members/events'
import { orders } from '../orders/schema'

export async function onOrderPaid(db: Db, orderId: number, at: Date): Promise<void> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  if (!order) throw new Error(`onOrderPaid: order ${orderId} not found`)

  // 1. Points for what was paid (idempotent by the order's earn key).
  const points = await awardPointsForOrder(db, orderId, at)

  // 2. The member's timeline, lifecycle stage and segments read this event.
  await recordMemberEvent(db, {
    memberId: order.memberId,
    type: 'order_paid',
    occurredAt: at,
    sourceKey: `order_paid:${order.orderNo}`,
    payload: {
      orderNo: order.orderNo,
      kind: order.kind,
      payFen: order.payFen,
      pointsEarned: points?.duplicate === false ? points.entry.amount : 0,
      ...(order.referrerId ? { referrerId: order.referrerId } : {}),
    },
  })

  // 3. Tier upgrade by spend (the loyalty programme's rules).
  await evaluateTiersAfterPayment(db, order.memberId, at)

  // 4. Who brought this order: attribution, frozen commission for promoters, points rebate.
  await onReferredOrderPaid(db, orderId, at, { rebate: referralRebate })

  // 5. Draws it earns in the lotteries that give draws for orders.
  await grantLotteryDrawsForOrder(db, order, at)
}
