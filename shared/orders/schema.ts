// Orders from the mini-program store, the till and chat; goods and paid memberships alike.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../db/columns'
import { members } from '../members/schema'
import { products, skus } from '../catalog/schema'

export const orderStatuses = ['pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const
export type OrderStatus = (typeof orderStatuses)[number]

export const orders = pgTable(
  'orders',
  {
    id: id(),
    /** Our order number, also WeChat Pay's out_trade_no. */
    orderNo: text('order_no').notNull(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: ['goods', 'membership'] })
      .notNull()
      .default('goods'),
    channel: text('channel', { enum: ['mp', 'store', 'chat'] })
      .notNull()
      .default('mp'),
    status: text('status', { enum: orderStatuses }).notNull().default('pending'),
    itemsFen: integer('items_fen').notNull(),
    discountFen: integer('discount_fen').notNull().default(0),
    pointsUsed: integer('points_used').notNull().default(0),
    pointsDeductFen: integer('points_deduct_fen').notNull().default(0),
    shippingFen: integer('shipping_fen').notNull().default(0),
    /** What the member pays: items - discount - points deduction + shipping. */
    payFen: integer('pay_fen').notNull(),
    refundedFen: integer('refunded_fen').notNull().default(0),
    /** The member who brought this order, when attributed by a share code. */
    referrerId: ref('referrer_id').references(() => members.id),
    createdAt: createdAt(),
    paidAt: at('paid_at'),
    expiresAt: at('expires_at'),
    closedAt: at('closed_at'),
  },
  (t) => [
    uniqueIndex('orders_order_no_key').on(t.orderNo),
    index('orders_member_idx').on(t.memberId, t.paidAt),
    index('orders_status_idx').on(t.status, t.createdAt),
    index('orders_paid_at_idx').on(t.paidAt),
    check(
      'orders_amounts_nonnegative',
      sql`${t.payFen} >= 0 and ${t.itemsFen} >= 0 and ${t.refundedFen} >= 0`,
    ),
    check('orders_refund_within_paid', sql`${t.refundedFen} <= ${t.payFen}`),
  ],
)
export type Order = typeof orders.$inferSelect

export const orderItems = pgTable(
  'order_items',
  {
    id: id(),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    productId: ref('product_id')
      .notNull()
      .references(() => products.id),
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    categoryId: ref('category_id').notNull(),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceFen: integer('unit_price_fen').notNull(),
    unitCostFen: integer('unit_cost_fen').notNull().default(0),
  },
  (t) => [
    index('order_items_order_idx').on(t.orderId),
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
  ],
)
