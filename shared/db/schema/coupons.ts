// Coupons: templates operators design (fixed amount, threshold 满减, percentage off; scoped to the whole
// store, categories or products; valid in a window or for N days after issue) and the coupons members
// hold, each issued once per source key.
import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { orders } from './orders'

export const couponKinds = ['fixed', 'threshold', 'percentage'] as const
export type CouponKind = (typeof couponKinds)[number]
export const couponScopes = ['all', 'category', 'product'] as const
export type CouponScope = (typeof couponScopes)[number]

export const couponTemplates = pgTable(
  'coupon_templates',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind', { enum: couponKinds }).notNull(),
    /** fixed / threshold: the amount taken off. */
    amountFen: integer('amount_fen').notNull().default(0),
    /** percentage: percent taken off (15 = 15% off, 八五折). */
    percentOff: integer('percent_off').notNull().default(0),
    /** Minimum eligible spend; 0 = no threshold. */
    thresholdFen: integer('threshold_fen').notNull().default(0),
    /** percentage: the most it may take off; null = no cap. */
    maxDiscountFen: integer('max_discount_fen'),
    scope: text('scope', { enum: couponScopes }).notNull().default('all'),
    /** Category or product ids for a scoped coupon. */
    scopeIds: jsonb('scope_ids').$type<number[]>().notNull().default([]),
    /** A fixed window … */
    validFrom: at('valid_from'),
    validUntil: at('valid_until'),
    /** … or valid for this many days from issue. */
    validDays: integer('valid_days'),
    /** How many may be issued in all; null = unlimited. */
    totalQuantity: integer('total_quantity'),
    issuedCount: integer('issued_count').notNull().default(0),
    perMemberLimit: integer('per_member_limit').notNull().default(1),
    /** Members may redeem it for this many points; null = not redeemable. */
    pointsCost: integer('points_cost'),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'coupon_templates_amounts_valid',
      sql`${t.amountFen} >= 0 and ${t.percentOff} between 0 and 99 and ${t.thresholdFen} >= 0`,
    ),
    check(
      'coupon_templates_issued_within_total',
      sql`${t.totalQuantity} is null or ${t.issuedCount} <= ${t.totalQuantity}`,
    ),
    check('coupon_templates_validity', sql`${t.validDays} is not null or ${t.validUntil} is not null`),
  ],
)
export type CouponTemplate = typeof couponTemplates.$inferSelect

export const memberCouponStatuses = ['available', 'locked', 'used', 'expired', 'revoked'] as const
export type MemberCouponStatus = (typeof memberCouponStatuses)[number]

export const memberCoupons = pgTable(
  'member_coupons',
  {
    id: id(),
    templateId: ref('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** Why it was issued, unique: `operator:<op>:<request>`, `points:<request>`, `campaign:<id>:<member>`. */
    sourceKey: text('source_key').notNull(),
    /** operator, points, campaign, group_buy, … */
    source: text('source').notNull(),
    status: text('status', { enum: memberCouponStatuses }).notNull().default('available'),
    validFrom: at('valid_from').notNull(),
    validUntil: at('valid_until').notNull(),
    /** The order holding (locked) or having used it. */
    orderId: ref('order_id').references(() => orders.id),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('member_coupons_source_key_key').on(t.sourceKey),
    index('member_coupons_member_idx').on(t.memberId, t.status),
    index('member_coupons_template_member_idx').on(t.templateId, t.memberId),
  ],
)
export type MemberCoupon = typeof memberCoupons.$inferSelect
