// Tiers and points. The points balance is the sum of the ledger, enforced by the database.
import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../db/columns'
import { members } from '../members/schema'

/**
 * A ladder of tiers. Vertical ladders hold one level per member (V1/V2/V3 paid yearly, or levels
 * reached by spend); horizontal cards sit beside them (a maternity card) with an eligibility rule.
 */
export const tierLadders = pgTable(
  'tier_ladders',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['vertical', 'horizontal'] }).notNull(),
    basis: text('basis', { enum: ['paid', 'spend', 'growth', 'eligibility'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tier_ladders_code_key').on(t.code)],
)

export const tierLevels = pgTable(
  'tier_levels',
  {
    id: id(),
    ladderId: ref('ladder_id')
      .notNull()
      .references(() => tierLadders.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Higher rank = higher tier within the ladder. */
    rank: integer('rank').notNull(),
    annualFeeFen: integer('annual_fee_fen').notNull().default(0),
    /** Spend (fen) or growth value needed to reach the level, for spend/growth ladders. */
    threshold: integer('threshold').notNull().default(0),
    /** Points earned per spend, in percent of the base ratio (150 = 1.5x). */
    pointsMultiplierPct: integer('points_multiplier_pct').notNull().default(100),
    benefits: jsonb('benefits').notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tier_levels_ladder_code_key').on(t.ladderId, t.code),
    uniqueIndex('tier_levels_ladder_rank_key').on(t.ladderId, t.rank),
    check('tier_levels_multiplier_positive', sql`${t.pointsMultiplierPct} > 0`),
  ],
)
export type TierLevel = typeof tierLevels.$inferSelect

/** A member's current level on a ladder; history lives in the member event stream. */
export const memberTiers = pgTable(
  'member_tiers',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    ladderId: ref('ladder_id')
      .notNull()
      .references(() => tierLadders.id),
    levelId: ref('level_id')
      .notNull()
      .references(() => tierLevels.id),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at'),
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('member_tiers_member_ladder_key').on(t.memberId, t.ladderId),
    index('member_tiers_level_idx').on(t.levelId),
  ],
)

export const pointsAccounts = pgTable(
  'points_accounts',
  {
    memberId: ref('member_id')
      .primaryKey()
      .references(() => members.id),
    balance: integer('balance').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [check('points_accounts_balance_nonnegative', sql`${t.balance} >= 0`)],
)

export const pointsEntryKinds = ['earn', 'spend', 'expire', 'adjust', 'reverse'] as const
export type PointsEntryKind = (typeof pointsEntryKinds)[number]

/**
 * The append-only points ledger. A positive entry is a grant with its own expiry and the amount of it
 * still unspent (`remaining`); a negative entry consumes grants, soonest-expiring first.
 */
export const pointsEntries = pgTable(
  'points_entries',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: pointsEntryKinds }).notNull(),
    amount: integer('amount').notNull(),
    /** What caused it, e.g. `order:20260101...:earn`: a retried event cannot credit twice. */
    sourceKey: text('source_key').notNull(),
    reason: text('reason').notNull(),
    expiresAt: at('expires_at'),
    remaining: integer('remaining'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('points_entries_source_key_key').on(t.sourceKey),
    index('points_entries_member_idx').on(t.memberId, t.createdAt),
    index('points_entries_open_grants_idx')
      .on(t.memberId, t.expiresAt)
      .where(sql`${t.remaining} > 0`),
    check('points_entries_amount_nonzero', sql`${t.amount} <> 0`),
    check(
      'points_entries_remaining_within_grant',
      sql`(${t.amount} > 0 and ${t.remaining} between 0 and ${t.amount}) or (${t.amount} < 0 and ${t.remaining} is null)`,
    ),
  ],
)
export type PointsEntry = typeof pointsEntries.$inferSelect
