// After-sale (售后): a shopper asks for a refund or a return of items of an order within the return
// window; an operator approves (the refund goes through WeChat Pay like any refund) or refuses.
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { orders } from './orders'

export const afterSaleKinds = ['refund', 'return'] as const
export type AfterSaleKind = (typeof afterSaleKinds)[number]
export const afterSaleStatuses = ['requested', 'approved', 'refused', 'cancelled'] as const
export type AfterSaleStatus = (typeof afterSaleStatuses)[number]

export interface AfterSaleItem {
  orderItemId: number
  quantity: number
}

export const afterSaleRequests = pgTable(
  'after_sale_requests',
  {
    id: id(),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** 'refund': money back without sending goods; 'return': goods sent back, then money. */
    kind: text('kind', { enum: afterSaleKinds }).notNull(),
    status: text('status', { enum: afterSaleStatuses }).notNull().default('requested'),
    reason: text('reason').notNull(),
    photos: jsonb('photos').$type<string[]>().notNull().default([]),
    items: jsonb('items').$type<AfterSaleItem[]>().notNull(),
    /** What the items are worth of what was paid (their share of the order, all of it for every item). */
    amountFen: integer('amount_fen').notNull(),
    /** A return whose shipping the member's "free return shipping" benefit pays (a recorded use). */
    freeReturnShipping: boolean('free_return_shipping').notNull().default(false),
    benefitUsageId: ref('benefit_usage_id'),
    /** The refund that approval recorded (payments' out_refund_no). */
    outRefundNo: text('out_refund_no'),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    createdAt: createdAt(),
    decidedAt: at('decided_at'),
  },
  (t) => [
    uniqueIndex('after_sale_requests_open_key')
      .on(t.orderId)
      .where(sql`${t.status} = 'requested'`),
    index('after_sale_requests_member_idx').on(t.memberId, t.createdAt),
    index('after_sale_requests_status_idx').on(t.status, t.createdAt),
    check('after_sale_requests_amount', sql`${t.amountFen} >= 0`),
  ],
)
export type AfterSaleRequest = typeof afterSaleRequests.$inferSelect
