// What happens when an order is paid, in one place: the PENDING → PAID transition and every step that
// follows it, in the one transaction, so either all of it happens with the payment or none of it does
// and WeChat's retry (or the reconciliation job) tries again. Payments (the callback, reconciliation)
// and checkout (an order with nothing to pay) call settleOrderPayment; nothing else marks an order
// paid. Every step is idempotent and calls no service outside the database.
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { useLockedCoupons } from '../coupons/service'
import { awardPointsForOrder } from '../points/earning'
import { grantMembershipForOrder } from '../tiers/membership'
import { evaluateTiersAfterPayment } from '../tiers/evaluation'
import { groupOrderPaid } from '../marketing/group-buy'
import { grantLotteryDrawsForOrder } from '../lottery/service'
import { recordMemberEvent } from '../members/events'
import { transitionToPaid, type PaidOutcome } from '../orders/lifecycle'
import { onReferredOrderPaid } from '../referral/order-attribution'
import type { Order } from '../db/schema/orders'
import { referralRebate } from './referral-rebate'

export interface PaymentReceived {
  orderNo: string
  /** WeChat Pay's transaction id; null when nothing was due (points and coupon covered it). */
  transactionId: string | null
  paidAt: Date
}

/** PENDING → PAID exactly once, with everything a payment sets off. A repeat is 'already_paid'. */
export async function settleOrderPayment(db: Db, payment: PaymentReceived): Promise<PaidOutcome> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const result = await transitionToPaid(tx, payment)
    if (result.outcome === 'paid') await onOrderPaid(tx, result.order, payment.paidAt)
    return result
  })
}

async function onOrderPaid(tx: Db, order: Order, at: Date): Promise<void> {
  // 1. What the order held becomes its own: the coupon is used, a group-buy seat paid.
  await useLockedCoupons(tx, order.id, at)
  await groupOrderPaid(tx, order, at)
  await tx.execute(sql`update products p set sold_count = p.sold_count + i.quantity
    from (select product_id, sum(quantity)::int as quantity from order_items where order_id = ${order.id} group by product_id) i
    where p.id = i.product_id`)

  // 2. A paid membership order grants the ladder's own period, once.
  if (order.kind === 'membership') await grantMembershipForOrder(tx, order, at)

  // 3. Points for what was paid (idempotent by the order's earn key).
  const points = await awardPointsForOrder(tx, order.id, at)

  // 4. The member's timeline, lifecycle stage and segments read this event.
  await recordMemberEvent(tx, {
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

  // 5. Tier upgrade by spend (the loyalty programme's rules).
  await evaluateTiersAfterPayment(tx, order.memberId, at)

  // 6. Who brought this order: attribution, frozen commission for promoters, points rebate.
  await onReferredOrderPaid(tx, order.id, at, { rebate: referralRebate })

  // 7. Draws it earns in the lotteries that give draws for orders.
  await grantLotteryDrawsForOrder(tx, order, at)
}
