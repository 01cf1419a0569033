// Tiers and points. The points balance is the sum of the ledger, enforced by the database.
import { sql, type SQL } from 'drizzle-orm'
import { boolean, check, date, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'

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
    /** How long one tier period lasts (a paid year, a spend level's year) before retention is judged. */
    periodMonths: integer('period_months').notNull().default(12),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tier_ladders_code_key').on(t.code),
    check('tier_ladders_period_positive', sql`${t.periodMonths} between 1 and 120`),
  ],
)
export type TierLadder = typeof tierLadders.$inferSelect

/** A benefit a level grants, with the level's own quota or discount where the benefit has one. */
export interface LevelBenefit {
  code: string
  /** Uses per quota period (quota benefits), overriding the benefit's default. */
  quota?: number
}

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
    /** The benefits this level grants (codes of `benefits` rows with per-level quotas). */
    benefits: jsonb('benefits').$type<LevelBenefit[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tier_levels_ladder_code_key').on(t.ladderId, t.code),
    uniqueIndex('tier_levels_ladder_rank_key').on(t.ladderId, t.rank),
    check('tier_levels_multiplier_positive', sql`${t.pointsMultiplierPct} > 0`),
  ],
)
export type TierLevel = typeof tierLevels.$inferSelect

/**
 * A member's current level on a ladder, for the period [startsAt, endsAt). A lapsed holding is deleted;
 * history lives in `tier_changes` (and the member event stream).
 */
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

/**
 * The one definition of "holds a level at a moment": a `member_tiers` row (by its alias) that has
 * started and not yet ended. A renewal bought early starts in the future and holds nothing yet.
 */
export const levelHeldAt = (alias: string, now: SQL) => {
  const t = sql.raw(alias)
  return sql`(${t}.starts_at <= ${now} and (${t}.ends_at is null or ${t}.ends_at > ${now}))`
}

/** `levelHeldAt` for queries built on the unaliased `member_tiers` table. */
export const memberTierHeldAt = (at: Date) =>
  levelHeldAt('member_tiers', sql`${at.toISOString()}::timestamptz`)

/** The ids of the tier levels a member holds at `now`, as a subquery (their member prices apply). */
export const heldLevelsSql = (memberId: SQL, now: SQL) =>
  sql`select mt.level_id from member_tiers mt where mt.member_id = ${memberId} and ${levelHeldAt('mt', now)}`

/** The next moment one of the member's levels starts or ends (their prices change then), as a scalar subquery. */
export const levelsChangeAtSql = (memberId: SQL, now: SQL) =>
  sql`select min(case when starts_at > ${now} then starts_at else ends_at end) from member_tiers
      where member_id = ${memberId} and (starts_at > ${now} or ends_at > ${now})`

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

/**
 * The tier rules of a ladder, as data (`[{code, args}]`, see tier-rules.ts). The rules in force at a
 * time are the latest set whose `effectiveAt` has come; a set with a future date is a scheduled change.
 */
export const tierRuleSets = pgTable(
  'tier_rule_sets',
  {
    id: id(),
    ladderId: ref('ladder_id')
      .notNull()
      .references(() => tierLadders.id),
    rules: jsonb('rules').$type<{ code: string; args: Record<string, unknown> }[]>().notNull(),
    effectiveAt: at('effective_at').notNull(),
    note: text('note'),
    operatorId: ref('operator_id'),
    cancelledAt: at('cancelled_at'),
    createdAt: createdAt(),
  },
  (t) => [index('tier_rule_sets_ladder_idx').on(t.ladderId, t.effectiveAt)],
)
export type TierRuleSet = typeof tierRuleSets.$inferSelect

export const tierChangeKinds = ['join', 'up', 'renew', 'down', 'lapse', 'manual'] as const
export type TierChangeKind = (typeof tierChangeKinds)[number]

/** Every move of a member on a ladder, with the rule that made it. */
export const tierChanges = pgTable(
  'tier_changes',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    ladderId: ref('ladder_id')
      .notNull()
      .references(() => tierLadders.id),
    kind: text('kind', { enum: tierChangeKinds }).notNull(),
    fromLevelId: ref('from_level_id').references(() => tierLevels.id),
    toLevelId: ref('to_level_id').references(() => tierLevels.id),
    ruleCode: text('rule_code'),
    ruleSetId: ref('rule_set_id').references(() => tierRuleSets.id),
    reason: text('reason').notNull(),
    endsAt: at('ends_at'),
    at: at('at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('tier_changes_member_idx').on(t.memberId, t.at),
    index('tier_changes_ladder_time_idx').on(t.ladderId, t.at),
  ],
)
export type TierChange = typeof tierChanges.$inferSelect

/**
 * Advance notice to a member that a scheduled rule change will move them. Recorded when the change is
 * scheduled; the campaign mechanism delivers it and sets `deliveredAt`.
 */
export const tierChangeNotices = pgTable(
  'tier_change_notices',
  {
    id: id(),
    ruleSetId: ref('rule_set_id')
      .notNull()
      .references(() => tierRuleSets.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    ladderId: ref('ladder_id')
      .notNull()
      .references(() => tierLadders.id),
    /** What the member's next evaluation would do under the current rules and under the new ones. */
    currentOutcome: text('current_outcome').notNull(),
    newOutcome: text('new_outcome').notNull(),
    fromLevelId: ref('from_level_id').references(() => tierLevels.id),
    predictedLevelId: ref('predicted_level_id').references(() => tierLevels.id),
    effectiveAt: at('effective_at').notNull(),
    message: text('message').notNull(),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tier_change_notices_rule_set_member_key').on(t.ruleSetId, t.memberId),
    index('tier_change_notices_pending_idx')
      .on(t.effectiveAt)
      .where(sql`${t.deliveredAt} is null`),
    index('tier_change_notices_member_idx').on(t.memberId),
  ],
)

/** A paid membership period: a join or renewal, paid in cash (a membership order) and/or points. */
export const tierRenewals = pgTable(
  'tier_renewals',
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
    requestId: text('request_id').notNull(),
    /** The paid membership order that covered the cash part (one order pays for one period). */
    orderNo: text('order_no'),
    feeFen: integer('fee_fen').notNull(),
    cashFen: integer('cash_fen').notNull(),
    pointsSpent: integer('points_spent').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tier_renewals_member_request_key').on(t.memberId, t.requestId),
    uniqueIndex('tier_renewals_order_no_key').on(t.orderNo),
    check('tier_renewals_amounts', sql`${t.cashFen} >= 0 and ${t.pointsSpent} >= 0 and ${t.feeFen} >= 0`),
  ],
)
export type TierRenewal = typeof tierRenewals.$inferSelect

export const benefitKinds = ['member_price', 'quota', 'birthday_gift', 'friend_pass'] as const
export type BenefitKind = (typeof benefitKinds)[number]

/**
 * What a level can grant: a member price (discount), a quota per period (free return shipping ×6 a
 * year), a birthday gift, a pass a member's friend can use. `args` is validated per kind (benefits.ts).
 */
export const benefits = pgTable(
  'benefits',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: benefitKinds }).notNull(),
    description: text('description'),
    args: jsonb('args').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('benefits_code_key').on(t.code)],
)
export type Benefit = typeof benefits.$inferSelect

/** One use of a benefit, counted against the holder's quota for its period. */
export const benefitUsages = pgTable(
  'benefit_usages',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    benefitId: ref('benefit_id')
      .notNull()
      .references(() => benefits.id),
    /** The quota period this use counts against, e.g. `2026`, `2026-05`, `period:2026-03-01`. */
    periodKey: text('period_key').notNull(),
    /** The client's or operator's request id: a retried request records one use. */
    requestId: text('request_id').notNull(),
    /** The friend who used the member's benefit, for benefits a friend can use. */
    friendMemberId: ref('friend_member_id').references(() => members.id),
    operatorId: ref('operator_id'),
    note: text('note'),
    usedAt: at('used_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('benefit_usages_member_request_key').on(t.memberId, t.requestId),
    index('benefit_usages_quota_idx').on(t.memberId, t.benefitId, t.periodKey),
    index('benefit_usages_friend_idx').on(t.friendMemberId),
  ],
)

/** Points-earning tasks: complete the profile, follow the official account, daily check-in, share. */
export const pointsTasks = pgTable(
  'points_tasks',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    points: integer('points').notNull(),
    /** How often it pays: once ever, or `times` per day / week / month / year. */
    limitPer: text('limit_per', { enum: ['once', 'day', 'week', 'month', 'year'] }).notNull(),
    limitTimes: integer('limit_times').notNull().default(1),
    /** Kind-specific settings, e.g. the check-in streak bonuses. */
    args: jsonb('args').$type<Record<string, unknown>>().notNull().default({}),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('points_tasks_code_key').on(t.code),
    check('points_tasks_points_positive', sql`${t.points} > 0 and ${t.limitTimes} > 0`),
  ],
)
export type PointsTask = typeof pointsTasks.$inferSelect

/** A completed task (a check-in is one, with its streak); slots number completions within a period. */
export const taskCompletions = pgTable(
  'task_completions',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    taskId: ref('task_id')
      .notNull()
      .references(() => pointsTasks.id),
    periodKey: text('period_key').notNull(),
    slot: integer('slot').notNull(),
    /** The Shanghai calendar day it was completed on. */
    day: date('day').notNull(),
    points: integer('points').notNull(),
    bonus: integer('bonus').notNull().default(0),
    /** Consecutive days checked in, for the daily check-in. */
    streak: integer('streak'),
    /** What the member completed (a share id): the same thing pays once. */
    ref: text('ref'),
    completedAt: at('completed_at').notNull(),
  },
  (t) => [
    uniqueIndex('task_completions_slot_key').on(t.memberId, t.taskId, t.periodKey, t.slot),
    uniqueIndex('task_completions_ref_key').on(t.memberId, t.taskId, t.ref),
    index('task_completions_day_idx').on(t.memberId, t.taskId, t.day),
  ],
)

export const rewardKinds = ['voucher', 'gift', 'privilege'] as const
export type RewardKind = (typeof rewardKinds)[number]

/** The redemption catalogue: vouchers, gifts with stock, privileges, each for a number of points. */
export const rewards = pgTable(
  'rewards',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: rewardKinds }).notNull(),
    description: text('description'),
    imageUrl: text('image_url'),
    pointsCost: integer('points_cost').notNull(),
    /** Units left; null = unlimited (vouchers, privileges). */
    stock: integer('stock'),
    /** Most a member may redeem, ever; null = no limit. */
    perMemberLimit: integer('per_member_limit'),
    /** Kind-specific: a voucher's face value, minimum spend and validity; a privilege's description. */
    args: jsonb('args').$type<Record<string, unknown>>().notNull().default({}),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('rewards_code_key').on(t.code),
    check('rewards_points_positive', sql`${t.pointsCost} > 0`),
    check('rewards_stock_nonnegative', sql`${t.stock} is null or ${t.stock} >= 0`),
  ],
)
export type Reward = typeof rewards.$inferSelect

/** A redemption: points and stock taken together, once per (member, client request id). */
export const redemptions = pgTable(
  'redemptions',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    rewardId: ref('reward_id')
      .notNull()
      .references(() => rewards.id),
    requestId: text('request_id').notNull(),
    points: integer('points').notNull(),
    status: text('status', { enum: ['issued', 'fulfilled', 'cancelled'] })
      .notNull()
      .default('issued'),
    /** For vouchers: the code the store honours at checkout. */
    voucherCode: text('voucher_code'),
    expiresAt: at('expires_at'),
    createdAt: createdAt(),
    fulfilledAt: at('fulfilled_at'),
    cancelledAt: at('cancelled_at'),
  },
  (t) => [
    uniqueIndex('redemptions_member_request_key').on(t.memberId, t.requestId),
    uniqueIndex('redemptions_voucher_code_key').on(t.voucherCode),
    index('redemptions_reward_idx').on(t.rewardId, t.createdAt),
    index('redemptions_member_idx').on(t.memberId, t.createdAt),
  ],
)
export type Redemption = typeof redemptions.$inferSelect

/** A bulk points import: one file, applied all or nothing, never twice. */
export const pointsImports = pgTable(
  'points_imports',
  {
    id: id(),
    fileName: text('file_name').notNull(),
    contentHash: text('content_hash').notNull(),
    operatorId: ref('operator_id'),
    rowCount: integer('row_count').notNull(),
    totalPoints: integer('total_points').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('points_imports_content_hash_key').on(t.contentHash)],
)

/** Honours awarded to members: the most active of a month or a year. */
export const memberHonours = pgTable(
  'member_honours',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    code: text('code').notNull(),
    title: text('title').notNull(),
    periodKey: text('period_key').notNull(),
    rank: integer('rank').notNull(),
    score: integer('score').notNull(),
    bonusPoints: integer('bonus_points').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('member_honours_award_key').on(t.code, t.periodKey, t.memberId),
    index('member_honours_member_idx').on(t.memberId),
  ],
)
