// A shopper's checkout: the order is placed (stock, coupon and points held in one transaction) and,
// when points and coupon covered it all, paid at once through the same paid-order flow as a payment.
import { placeOrder } from '../orders/checkout'
import type { CheckoutDeps, CheckoutInput } from '../orders/quote'
import { settleOrderPayment } from './order-paid'

export async function checkout(deps: CheckoutDeps, memberId: number, input: CheckoutInput) {
  const placed = await placeOrder(deps, memberId, input)
  if (placed.order.payFen !== 0) return placed
  const paid = await settleOrderPayment(deps.db, {
    orderNo: placed.order.orderNo,
    transactionId: null,
    paidAt: placed.order.createdAt,
  })
  return { ...placed, order: paid.order }
}
