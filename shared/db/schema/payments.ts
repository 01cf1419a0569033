// WeChat Pay records: every payment or refund notification received (the audit trail of what WeChat
// told us and what we did with it), and refunds with their own number and state.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { orders } from './orders'

export const notificationOutcomes = ['applied', 'duplicate', 'rejected'] as const

/** One row per notification delivery that passed the signature check (forged ones never reach here). */
export const paymentNotifications = pgTable(
  'payment_notifications',
  {
    id: id(),
    /** WeChat's notification id; the same id arrives again on every retry. */
    notifyId: text('notify_id').notNull(),
    eventType: text('event_type').notNull(),
    outTradeNo: text('out_trade_no'),
    outRefundNo: text('out_refund_no'),
    transactionId: text('transaction_id'),
    outcome: text('outcome', { enum: notificationOutcomes }).notNull(),
    /** Why a notification was refused (amount_mismatch, mchid_mismatch, unknown_order, …). */
    reason: text('reason'),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [
    index('payment_notifications_trade_idx').on(t.outTradeNo),
    index('payment_notifications_received_idx').on(t.receivedAt),
  ],
)

export const refundStatuses = ['processing', 'success', 'closed', 'abnormal'] as const
export type RefundStatus = (typeof refundStatuses)[number]

export const orderRefunds = pgTable(
  'order_refunds',
  {
    id: id(),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    /** Our refund number (WeChat's out_refund_no). */
    outRefundNo: text('out_refund_no').notNull(),
    /** WeChat's refund id once accepted. */
    refundId: text('refund_id'),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: refundStatuses }).notNull().default('processing'),
    /** Who asked: an operator id, or a system cause such as group_buy_failed. */
    requestedBy: text('requested_by').notNull(),
    createdAt: createdAt(),
    succeededAt: at('succeeded_at'),
  },
  (t) => [
    uniqueIndex('order_refunds_out_refund_no_key').on(t.outRefundNo),
    index('order_refunds_order_idx').on(t.orderId),
    index('order_refunds_processing_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'processing'`),
    check('order_refunds_amount_positive', sql`${t.amountFen} > 0`),
  ],
)
export type OrderRefund = typeof orderRefunds.$inferSelect
