// Marketing tools of the store: flash sales (秒杀) with their own stock and a per-member limit, and group
// buys (拼团) where a group succeeds when N members have paid before it expires.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { skus } from './catalog'
import { members } from './members'
import { orders } from './orders'

/** A flash sale: its units are taken out of the SKU's stock when it is created and returned when it ends. */
export const flashSales = pgTable(
  'flash_sales',
  {
    id: id(),
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    title: text('title').notNull(),
    priceFen: integer('price_fen').notNull(),
    totalStock: integer('total_stock').notNull(),
    /** Units not yet reserved by an order; an order's conditional decrement is what stops overselling. */
    stockLeft: integer('stock_left').notNull(),
    perMemberLimit: integer('per_member_limit').notNull().default(1),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    /** Set when an operator ends it early or its leftover stock went back to the SKU. */
    endedAt: at('ended_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('flash_sales_window_idx').on(t.startsAt, t.endsAt),
    check('flash_sales_stock_within_total', sql`${t.stockLeft} >= 0 and ${t.stockLeft} <= ${t.totalStock}`),
    check('flash_sales_price_positive', sql`${t.priceFen} > 0 and ${t.perMemberLimit} > 0`),
    check('flash_sales_window', sql`${t.endsAt} > ${t.startsAt}`),
  ],
)
export type FlashSale = typeof flashSales.$inferSelect

/** Units each member holds in a flash sale (pending or paid orders): the per-member limit lives here. */
export const flashSalePurchases = pgTable(
  'flash_sale_purchases',
  {
    flashSaleId: ref('flash_sale_id')
      .notNull()
      .references(() => flashSales.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    quantity: integer('quantity').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.flashSaleId, t.memberId] }),
    check('flash_sale_purchases_quantity_nonnegative', sql`${t.quantity} >= 0`),
  ],
)

export const groupBuys = pgTable(
  'group_buys',
  {
    id: id(),
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    title: text('title').notNull(),
    groupPriceFen: integer('group_price_fen').notNull(),
    /** Paid members needed for a group to succeed. */
    groupSize: integer('group_size').notNull(),
    /** How long a group has to fill once its leader has paid. */
    fillMinutes: integer('fill_minutes').notNull().default(1440),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('group_buys_size', sql`${t.groupSize} between 2 and 100`),
    check('group_buys_price_positive', sql`${t.groupPriceFen} > 0 and ${t.fillMinutes} > 0`),
  ],
)
export type GroupBuy = typeof groupBuys.$inferSelect

export const groupStatuses = ['opening', 'forming', 'succeeded', 'failed'] as const
export type GroupStatus = (typeof groupStatuses)[number]

/**
 * One group: 'opening' until the leader pays, then 'forming' until `groupSize` members have paid
 * ('succeeded') or it expires ('failed', everyone refunded). Seats are reserved by unpaid orders too,
 * so a group never takes more members than its size.
 */
export const groupBuyGroups = pgTable(
  'group_buy_groups',
  {
    id: id(),
    groupBuyId: ref('group_buy_id')
      .notNull()
      .references(() => groupBuys.id),
    /**
     * What the share page is reached by: random, so nobody can walk the groups by number and read who
     * joined each one.
     */
    shareCode: text('share_code').notNull(),
    leaderId: ref('leader_id')
      .notNull()
      .references(() => members.id),
    status: text('status', { enum: groupStatuses }).notNull().default('opening'),
    groupSize: integer('group_size').notNull(),
    seatsTaken: integer('seats_taken').notNull().default(0),
    paidCount: integer('paid_count').notNull().default(0),
    expiresAt: at('expires_at'),
    succeededAt: at('succeeded_at'),
    failedAt: at('failed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('group_buy_groups_campaign_idx').on(t.groupBuyId, t.status),
    uniqueIndex('group_buy_groups_share_code_key').on(t.shareCode),
    index('group_buy_groups_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'forming'`),
    check(
      'group_buy_groups_seats',
      sql`${t.paidCount} >= 0 and ${t.paidCount} <= ${t.seatsTaken} and ${t.seatsTaken} <= ${t.groupSize}`,
    ),
  ],
)
export type GroupBuyGroup = typeof groupBuyGroups.$inferSelect

export const groupBuyParticipants = pgTable(
  'group_buy_participants',
  {
    id: id(),
    groupId: ref('group_id')
      .notNull()
      .references(() => groupBuyGroups.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    status: text('status', { enum: ['pending', 'paid', 'released', 'refunded'] })
      .notNull()
      .default('pending'),
    joinedAt: at('joined_at').notNull(),
  },
  (t) => [
    uniqueIndex('group_buy_participants_order_key').on(t.orderId),
    uniqueIndex('group_buy_participants_active_key')
      .on(t.groupId, t.memberId)
      .where(sql`${t.status} in ('pending', 'paid')`),
  ],
)
