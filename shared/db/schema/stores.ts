// Physical stores and the purchases recorded at their tills. Each purchase is an order of channel
// 'store', paid at once, so it counts toward spend, tiers, points and stage like an online order.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { orders } from './orders'

export const stores = pgTable(
  'stores',
  {
    id: id(),
    name: text('name').notNull(),
    city: text('city').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('stores_name_key').on(t.name)],
)
export type Store = typeof stores.$inferSelect

export const storePurchases = pgTable(
  'store_purchases',
  {
    id: id(),
    storeId: ref('store_id')
      .notNull()
      .references(() => stores.id),
    /** The till's receipt number: recording it again changes nothing. */
    receiptNo: text('receipt_no').notNull(),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    amountFen: integer('amount_fen').notNull(),
    /** 'till' (staff at the till) or 'import' (a POS export). */
    source: text('source', { enum: ['till', 'import'] }).notNull(),
    recordedBy: text('recorded_by').notNull(),
    purchasedAt: at('purchased_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('store_purchases_receipt_key').on(t.storeId, t.receiptNo),
    uniqueIndex('store_purchases_order_key').on(t.orderId),
    index('store_purchases_member_idx').on(t.memberId, t.purchasedAt),
    check('store_purchases_amount_positive', sql`${t.amountFen} > 0`),
  ],
)
export type StorePurchase = typeof storePurchases.$inferSelect
