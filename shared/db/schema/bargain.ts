// Bargains (砍价): an operator's campaign (a SKU, a floor price, how many friends must help, stock and
// a deadline); a member starts a bargain and shares it; each friend who opens it cuts once, until the
// floor is reached exactly at the last helper; the member buys at the price reached through checkout.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { skus } from './catalog'
import { members } from './members'

export const bargainCampaigns = pgTable(
  'bargain_campaigns',
  {
    id: id(),
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    title: text('title').notNull(),
    floorPriceFen: integer('floor_price_fen').notNull(),
    /** Friends needed to reach the floor; the last of them cuts whatever is left. */
    helpersNeeded: integer('helpers_needed').notNull(),
    /** How long a started bargain stays open for helpers and for the purchase (never past endsAt). */
    bargainHours: integer('bargain_hours').notNull().default(24),
    totalStock: integer('total_stock').notNull(),
    /** Bargain purchases left; an order's conditional decrement is what stops overselling. */
    stockLeft: integer('stock_left').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    endedAt: at('ended_at'),
    createdAt: createdAt(),
  },
  (t) => [
    check('bargain_campaigns_stock', sql`${t.stockLeft} >= 0 and ${t.stockLeft} <= ${t.totalStock}`),
    check(
      'bargain_campaigns_rules',
      sql`${t.floorPriceFen} > 0 and ${t.helpersNeeded} between 1 and 100 and ${t.bargainHours} > 0`,
    ),
    check('bargain_campaigns_window', sql`${t.endsAt} > ${t.startsAt}`),
  ],
)
export type BargainCampaign = typeof bargainCampaigns.$inferSelect

export const bargainStatuses = ['open', 'reached', 'ordered', 'expired'] as const
export type BargainStatus = (typeof bargainStatuses)[number]

/**
 * One member's bargain: 'open' while friends cut, 'reached' at the floor, 'ordered' once an order holds
 * it (back to open/reached if that order is cancelled), 'expired' past its deadline unbought.
 */
export const bargains = pgTable(
  'bargains',
  {
    id: id(),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => bargainCampaigns.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    listPriceFen: integer('list_price_fen').notNull(),
    floorPriceFen: integer('floor_price_fen').notNull(),
    /** The price reached so far. */
    priceFen: integer('price_fen').notNull(),
    helpersNeeded: integer('helpers_needed').notNull(),
    helpersCount: integer('helpers_count').notNull().default(0),
    status: text('status', { enum: bargainStatuses }).notNull().default('open'),
    expiresAt: at('expires_at').notNull(),
    /** The order that holds (or bought) it. */
    orderId: ref('order_id'),
    reachedAt: at('reached_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('bargains_active_key')
      .on(t.campaignId, t.memberId)
      .where(sql`${t.status} in ('open', 'reached', 'ordered')`),
    index('bargains_order_idx').on(t.orderId),
    check(
      'bargains_price_within',
      sql`${t.priceFen} >= ${t.floorPriceFen} and ${t.priceFen} <= ${t.listPriceFen}`,
    ),
    check('bargains_helpers_within', sql`${t.helpersCount} >= 0 and ${t.helpersCount} <= ${t.helpersNeeded}`),
  ],
)
export type Bargain = typeof bargains.$inferSelect

/** One friend's cut, with the random draw it came from (for audit). Once per friend and bargain. */
export const bargainHelps = pgTable(
  'bargain_helps',
  {
    id: id(),
    bargainId: ref('bargain_id')
      .notNull()
      .references(() => bargains.id),
    helperId: ref('helper_id')
      .notNull()
      .references(() => members.id),
    cutFen: integer('cut_fen').notNull(),
    /** The cut was drawn uniformly from 1 … maxCutFen (crypto.randomInt); the last helper's is forced. */
    maxCutFen: integer('max_cut_fen').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('bargain_helps_once_key').on(t.bargainId, t.helperId),
    check('bargain_helps_cut_positive', sql`${t.cutFen} > 0 and ${t.cutFen} <= ${t.maxCutFen}`),
  ],
)
export type BargainHelp = typeof bargainHelps.$inferSelect
