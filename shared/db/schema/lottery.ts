// Lotteries (抽奖): prizes with their stock and odds as data, entry costs (free daily draws, points per
// draw, draws earned by tasks or orders), per-member limits, and every draw recorded with its random
// source for audit.
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { skus } from './catalog'
import { couponTemplates } from './coupons'
import { members } from './members'
import { orders } from './orders'

export const lotteries = pgTable(
  'lotteries',
  {
    id: id(),
    title: text('title').notNull(),
    /** Free draws each member gets per Asia/Shanghai day. */
    freeDrawsPerDay: integer('free_draws_per_day').notNull().default(1),
    /** Points one more draw costs; null = draws cannot be bought with points. */
    pointsPerDraw: integer('points_per_draw'),
    /** Draws earned by each paid order while the lottery is on (0 = none). */
    drawsPerOrder: integer('draws_per_order').notNull().default(0),
    /** Most draws a member may make per day / in all (null = no limit). */
    dailyLimit: integer('daily_limit'),
    totalLimit: integer('total_limit'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('lotteries_window', sql`${t.endsAt} > ${t.startsAt}`),
    check(
      'lotteries_costs',
      sql`${t.freeDrawsPerDay} >= 0 and ${t.drawsPerOrder} >= 0 and (${t.pointsPerDraw} is null or ${t.pointsPerDraw} > 0)`,
    ),
  ],
)
export type Lottery = typeof lotteries.$inferSelect

export const prizeKinds = ['points', 'coupon', 'gift', 'thanks'] as const
export type PrizeKind = (typeof prizeKinds)[number]

/**
 * A prize: its odds are weight ÷ the sum of the lottery's weights. A prize with stock draws only while
 * it lasts; when the draw lands on one that has run out, the member gets the fallback prize instead
 * (one per lottery, unlimited), so the odds of the others never change.
 */
export const lotteryPrizes = pgTable(
  'lottery_prizes',
  {
    id: id(),
    lotteryId: ref('lottery_id')
      .notNull()
      .references(() => lotteries.id),
    kind: text('kind', { enum: prizeKinds }).notNull(),
    name: text('name').notNull(),
    weight: integer('weight').notNull(),
    /** Null = unlimited. */
    stock: integer('stock'),
    stockLeft: integer('stock_left'),
    points: integer('points'),
    couponTemplateId: ref('coupon_template_id').references(() => couponTemplates.id),
    skuId: ref('sku_id').references(() => skus.id),
    isFallback: boolean('is_fallback').notNull().default(false),
    sort: integer('sort').notNull().default(0),
  },
  (t) => [
    index('lottery_prizes_lottery_idx').on(t.lotteryId),
    uniqueIndex('lottery_prizes_fallback_key')
      .on(t.lotteryId)
      .where(sql`${t.isFallback}`),
    check('lottery_prizes_weight', sql`${t.weight} >= 0`),
    check(
      'lottery_prizes_stock',
      sql`(${t.stock} is null) = (${t.stockLeft} is null) and (${t.stockLeft} is null or (${t.stockLeft} >= 0 and ${t.stockLeft} <= ${t.stock}))`,
    ),
    check('lottery_prizes_fallback_unlimited', sql`not ${t.isFallback} or ${t.stock} is null`),
  ],
)
export type LotteryPrize = typeof lotteryPrizes.$inferSelect

/** Draws a member earned (a task done, an order paid), once per source key. */
export const lotteryDrawGrants = pgTable(
  'lottery_draw_grants',
  {
    id: id(),
    lotteryId: ref('lottery_id')
      .notNull()
      .references(() => lotteries.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    draws: integer('draws').notNull(),
    sourceKey: text('source_key').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('lottery_draw_grants_source_key').on(t.sourceKey),
    index('lottery_draw_grants_member_idx').on(t.lotteryId, t.memberId),
    check('lottery_draw_grants_positive', sql`${t.draws} > 0`),
  ],
)

export const drawEntries = ['free', 'earned', 'points'] as const
export type DrawEntry = (typeof drawEntries)[number]

/** Every draw: how it was paid for, the random number and the odds it was read against, the prize given. */
export const lotteryDraws = pgTable(
  'lottery_draws',
  {
    id: id(),
    lotteryId: ref('lottery_id')
      .notNull()
      .references(() => lotteries.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** The member's request id: a retried request draws once. */
    requestId: text('request_id').notNull(),
    entry: text('entry', { enum: drawEntries }).notNull(),
    pointsSpent: integer('points_spent').notNull().default(0),
    /** Asia/Shanghai date of the draw (daily limits and free draws). */
    day: text('day').notNull(),
    /** The random integer drawn in [0, randomRange) and where it came from. */
    random: integer('random').notNull(),
    randomRange: integer('random_range').notNull(),
    randomSource: text('random_source').notNull(),
    /** The weights it was read against: [{ prizeId, weight }]. */
    weights: jsonb('weights').$type<{ prizeId: number; weight: number }[]>().notNull(),
    /** The prize the number landed on, and the one given (the fallback when that had run out). */
    drawnPrizeId: ref('drawn_prize_id')
      .notNull()
      .references(() => lotteryPrizes.id),
    prizeId: ref('prize_id')
      .notNull()
      .references(() => lotteryPrizes.id),
    couponId: ref('coupon_id'),
    orderId: ref('order_id').references(() => orders.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('lottery_draws_request_key').on(t.memberId, t.requestId),
    index('lottery_draws_member_day_idx').on(t.lotteryId, t.memberId, t.day),
    check('lottery_draws_random', sql`${t.random} >= 0 and ${t.random} < ${t.randomRange}`),
  ],
)
export type LotteryDraw = typeof lotteryDraws.$inferSelect
