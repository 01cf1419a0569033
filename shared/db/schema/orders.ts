// Orders from the mini-program store, the till and chat; goods and paid memberships alike.
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { products, skus } from './catalog'
import { tierLevels } from './loyalty'

/** Where the parcel goes, copied onto the order so later address edits do not change it. */
export interface ShippingAddress {
  name: string
  phone: string
  province: string
  city: string
  district: string
  detail: string
}

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
    /** For kind 'membership': the paid tier level bought or renewed. */
    membershipLevelId: ref('membership_level_id').references(() => tierLevels.id),
    /** The flash sale (marketing) this order's items were bought in, if any. */
    flashSaleId: ref('flash_sale_id'),
    /** The group-buy group (marketing) this order opened or joined, if any. */
    groupBuyGroupId: ref('group_buy_group_id'),
    address: jsonb('address').$type<ShippingAddress>(),
    remark: text('remark'),
    /** WeChat Pay: the JSAPI prepay id (valid two hours) and, once paid, WeChat's transaction id. */
    prepayId: text('prepay_id'),
    prepayAt: at('prepay_at'),
    transactionId: text('transaction_id'),
    shippingCompany: text('shipping_company'),
    trackingNo: text('tracking_no'),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
    paidAt: at('paid_at'),
    expiresAt: at('expires_at'),
    shippedAt: at('shipped_at'),
    completedAt: at('completed_at'),
    closedAt: at('closed_at'),
  },
  (t) => [
    uniqueIndex('orders_order_no_key').on(t.orderNo),
    uniqueIndex('orders_transaction_id_key').on(t.transactionId),
    index('orders_pending_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending'`),
    index('orders_flash_sale_idx').on(t.flashSaleId),
    check(
      'orders_pay_adds_up',
      sql`${t.payFen} = ${t.itemsFen} - ${t.discountFen} - ${t.pointsDeductFen} + ${t.shippingFen}`,
    ),
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
    spec: text('spec').notNull().default(''),
    quantity: integer('quantity').notNull(),
    /** The SKU's list price when ordered; unitPriceFen is what was charged (member, flash, group price). */
    listPriceFen: integer('list_price_fen').notNull().default(0),
    unitPriceFen: integer('unit_price_fen').notNull(),
    unitCostFen: integer('unit_cost_fen').notNull().default(0),
  },
  (t) => [
    index('order_items_order_idx').on(t.orderId),
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
  ],
)

export type OrderItem = typeof orderItems.$inferSelect

/** The member's cart: one row per SKU. Prices are never stored here; checkout computes them. */
export const cartItems = pgTable(
  'cart_items',
  {
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    quantity: integer('quantity').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.memberId, t.skuId] }),
    check('cart_items_quantity_positive', sql`${t.quantity} > 0`),
  ],
)

export const memberAddresses = pgTable(
  'member_addresses',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    name: text('name').notNull(),
    phone: text('phone').notNull(),
    province: text('province').notNull(),
    city: text('city').notNull(),
    district: text('district').notNull(),
    detail: text('detail').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [index('member_addresses_member_idx').on(t.memberId)],
)
export type MemberAddress = typeof memberAddresses.$inferSelect
