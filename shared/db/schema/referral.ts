// Who brought whom, and what it was worth: share codes, the referral tree, promoters and their
// commission ledger, withdrawals, the post-purchase survey and the referral asks it produces.
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { operators } from './auth'
import { orders } from './orders'
import { botAccounts } from './chat'

/**
 * A short code (≤ 32 chars, usable as a mini-program code `scene`) that carries the sharer: a member,
 * or a staff operator who promotes the brand.
 */
export const shareCodes = pgTable(
  'share_codes',
  {
    code: text('code').primaryKey(),
    memberId: ref('member_id').references(() => members.id),
    operatorId: ref('operator_id').references(() => operators.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('share_codes_member_key').on(t.memberId),
    uniqueIndex('share_codes_operator_key').on(t.operatorId),
    check('share_codes_length', sql`length(${t.code}) <= 32`),
    check('share_codes_one_sharer', sql`(${t.memberId} is null) <> (${t.operatorId} is null)`),
  ],
)
export type ShareCode = typeof shareCodes.$inferSelect

/**
 * One attribution per referee (first touch): the edge of the referral tree. The referrer is a member
 * (an edge of the member tree) or a staff operator (the referee is then a root brought by staff).
 */
export const referrals = pgTable(
  'referrals',
  {
    id: id(),
    referrerId: ref('referrer_id').references(() => members.id),
    referrerOperatorId: ref('referrer_operator_id').references(() => operators.id),
    refereeId: ref('referee_id')
      .notNull()
      .references(() => members.id),
    code: text('code'),
    attributedAt: at('attributed_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('referrals_referee_key').on(t.refereeId),
    index('referrals_referrer_idx').on(t.referrerId),
    index('referrals_referrer_operator_idx').on(t.referrerOperatorId),
    index('referrals_attributed_at_idx').on(t.attributedAt),
    check('referrals_not_self', sql`${t.referrerId} <> ${t.refereeId}`),
    check('referrals_one_referrer', sql`(${t.referrerId} is null) <> (${t.referrerOperatorId} is null)`),
  ],
)
export type Referral = typeof referrals.$inferSelect

export const touchOutcomes = [
  'attributed',
  'already_attributed',
  'not_new',
  'self_referral',
  'cycle',
] as const
export type TouchOutcome = (typeof touchOutcomes)[number]

/** Every arrival through a share code, attributed or not: the advocate's leads. */
export const referralTouches = pgTable(
  'referral_touches',
  {
    id: id(),
    code: text('code')
      .notNull()
      .references(() => shareCodes.code),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    outcome: text('outcome', { enum: touchOutcomes }).notNull(),
    touchedAt: at('touched_at').notNull(),
  },
  (t) => [
    index('referral_touches_code_idx').on(t.code, t.touchedAt),
    index('referral_touches_member_idx').on(t.memberId),
  ],
)

/**
 * The programme's settings (one row): how long a member counts as new, how long their orders are
 * credited to the referrer, the return window that keeps commission frozen, and the commission depth.
 */
export const referralSettings = pgTable(
  'referral_settings',
  {
    id: integer('id').primaryKey().default(1),
    /** A member created longer ago than this is not "new" and cannot be attributed. */
    attributionWindowHours: integer('attribution_window_hours').notNull().default(72),
    /** Orders placed within this many days of the attribution are credited to the referrer. */
    orderWindowDays: integer('order_window_days').notNull().default(30),
    /** Commission stays frozen for this many days after payment (returns allowed). */
    returnWindowDays: integer('return_window_days').notNull().default(15),
    /** 1: only the direct referrer earns; 2: the referrer's referrer earns too. */
    commissionTiers: integer('commission_tiers').notNull().default(2),
    minWithdrawalFen: integer('min_withdrawal_fen').notNull().default(100),
    /** Direct referrals that make a "super communicator". */
    superCommunicatorThreshold: integer('super_communicator_threshold').notNull().default(10),
    /** Members may join the programme from the mini-program at the default level. */
    openEnrolment: boolean('open_enrolment').notNull().default(true),
    /** When the referral-stats job last brought `referral_stats` up to date. */
    statsRefreshedAt: at('stats_refreshed_at'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('referral_settings_single_row', sql`${t.id} = 1`),
    check('referral_settings_tiers', sql`${t.commissionTiers} in (1, 2)`),
    check(
      'referral_settings_windows',
      sql`${t.attributionWindowHours} > 0 and ${t.orderWindowDays} >= 0 and ${t.returnWindowDays} >= 0 and ${t.minWithdrawalFen} > 0 and ${t.superCommunicatorThreshold} > 0`,
    ),
  ],
)
export type ReferralSettingsRow = typeof referralSettings.$inferSelect

/** A rule stored as data: a code from the rule catalogue and its arguments. */
export interface StoredRule {
  code: string
  args: Record<string, unknown>
}

/** Commission levels: what a promoter at this level earns on a direct sale and on a second-tier sale. */
export const promoterLevels = pgTable(
  'promoter_levels',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    rank: integer('rank').notNull(),
    tier1Rule: jsonb('tier1_rule').$type<StoredRule>().notNull(),
    tier2Rule: jsonb('tier2_rule').$type<StoredRule>(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('promoter_levels_code_key').on(t.code),
    uniqueIndex('promoter_levels_rank_key').on(t.rank),
    uniqueIndex('promoter_levels_one_default')
      .on(t.isDefault)
      .where(sql`${t.isDefault}`),
  ],
)
export type PromoterLevel = typeof promoterLevels.$inferSelect

/** A member or a staff operator who earns commission on the sales they bring. */
export const promoters = pgTable(
  'promoters',
  {
    id: id(),
    kind: text('kind', { enum: ['member', 'staff'] }).notNull(),
    memberId: ref('member_id').references(() => members.id),
    operatorId: ref('operator_id').references(() => operators.id),
    levelId: ref('level_id')
      .notNull()
      .references(() => promoterLevels.id),
    status: text('status', { enum: ['active', 'suspended'] })
      .notNull()
      .default('active'),
    joinedAt: at('joined_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('promoters_member_key').on(t.memberId),
    uniqueIndex('promoters_operator_key').on(t.operatorId),
    check(
      'promoters_kind_matches',
      sql`(${t.kind} = 'member' and ${t.memberId} is not null and ${t.operatorId} is null) or (${t.kind} = 'staff' and ${t.operatorId} is not null and ${t.memberId} is null)`,
    ),
  ],
)
export type Promoter = typeof promoters.$inferSelect

export const commissionStates = ['frozen', 'available', 'reversed'] as const
export type CommissionState = (typeof commissionStates)[number]

/** One commission per order and tier: what was earned, what a refund took back, and when it thaws. */
export const commissions = pgTable(
  'commissions',
  {
    id: id(),
    promoterId: ref('promoter_id')
      .notNull()
      .references(() => promoters.id),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id),
    tier: integer('tier').notNull(),
    /** The order amount the rule was applied to (paid, less shipping). */
    basisFen: integer('basis_fen').notNull(),
    amountFen: integer('amount_fen').notNull(),
    /** Taken back by refunds (of which some may have been unrecoverable, see unrecoveredFen). */
    reversedFen: integer('reversed_fen').notNull().default(0),
    unrecoveredFen: integer('unrecovered_fen').notNull().default(0),
    state: text('state', { enum: commissionStates }).notNull().default('frozen'),
    rule: jsonb('rule').$type<StoredRule>().notNull(),
    unfreezesAt: at('unfreezes_at').notNull(),
    availableAt: at('available_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('commissions_order_tier_key').on(t.orderId, t.tier),
    index('commissions_promoter_idx').on(t.promoterId, t.createdAt),
    index('commissions_frozen_due_idx')
      .on(t.unfreezesAt)
      .where(sql`${t.state} = 'frozen'`),
    check('commissions_tier', sql`${t.tier} in (1, 2)`),
    check(
      'commissions_amounts',
      sql`${t.amountFen} > 0 and ${t.reversedFen} between 0 and ${t.amountFen} and ${t.unrecoveredFen} between 0 and ${t.reversedFen}`,
    ),
  ],
)
export type Commission = typeof commissions.$inferSelect

/** A promoter's balances by bucket; each equals the sum of the ledger's deltas and never goes below 0. */
export const commissionAccounts = pgTable(
  'commission_accounts',
  {
    promoterId: ref('promoter_id')
      .primaryKey()
      .references(() => promoters.id),
    frozenFen: integer('frozen_fen').notNull().default(0),
    availableFen: integer('available_fen').notNull().default(0),
    withdrawingFen: integer('withdrawing_fen').notNull().default(0),
    withdrawnFen: integer('withdrawn_fen').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check(
      'commission_accounts_nonnegative',
      sql`${t.frozenFen} >= 0 and ${t.availableFen} >= 0 and ${t.withdrawingFen} >= 0 and ${t.withdrawnFen} >= 0`,
    ),
  ],
)
export type CommissionAccount = typeof commissionAccounts.$inferSelect

export const commissionEntryKinds = [
  'accrue',
  'unfreeze',
  'reverse',
  'withdraw_request',
  'withdraw_release',
  'withdraw_pay',
] as const
export type CommissionEntryKind = (typeof commissionEntryKinds)[number]

/** The append-only commission ledger: every move between buckets, keyed by its source. */
export const commissionEntries = pgTable(
  'commission_entries',
  {
    id: id(),
    promoterId: ref('promoter_id')
      .notNull()
      .references(() => promoters.id),
    kind: text('kind', { enum: commissionEntryKinds }).notNull(),
    frozenDelta: integer('frozen_delta').notNull().default(0),
    availableDelta: integer('available_delta').notNull().default(0),
    withdrawingDelta: integer('withdrawing_delta').notNull().default(0),
    withdrawnDelta: integer('withdrawn_delta').notNull().default(0),
    commissionId: ref('commission_id').references(() => commissions.id),
    withdrawalId: ref('withdrawal_id'),
    /** e.g. `commission:12:accrue`, `withdrawal:7:pay`: a retried event cannot move money twice. */
    sourceKey: text('source_key').notNull(),
    reason: text('reason').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('commission_entries_source_key_key').on(t.sourceKey),
    index('commission_entries_promoter_idx').on(t.promoterId, t.createdAt),
    check(
      'commission_entries_moves_something',
      sql`${t.frozenDelta} <> 0 or ${t.availableDelta} <> 0 or ${t.withdrawingDelta} <> 0 or ${t.withdrawnDelta} <> 0`,
    ),
  ],
)

export const withdrawalStates = ['requested', 'approved', 'paid', 'rejected', 'cancelled'] as const
export type WithdrawalState = (typeof withdrawalStates)[number]

/** A promoter's request to be paid out available commission, and what operators did with it. */
export const withdrawals = pgTable(
  'withdrawals',
  {
    id: id(),
    promoterId: ref('promoter_id')
      .notNull()
      .references(() => promoters.id),
    amountFen: integer('amount_fen').notNull(),
    state: text('state', { enum: withdrawalStates }).notNull().default('requested'),
    requestedAt: at('requested_at').notNull(),
    decidedAt: at('decided_at'),
    decidedBy: ref('decided_by').references(() => operators.id),
    paidAt: at('paid_at'),
    /** The payout's reference (transfer number) when paid; the reason when rejected. */
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('withdrawals_promoter_idx').on(t.promoterId, t.requestedAt),
    index('withdrawals_state_idx').on(t.state, t.requestedAt),
    check('withdrawals_amount_positive', sql`${t.amountFen} > 0`),
  ],
)
export type Withdrawal = typeof withdrawals.$inferSelect

/** Answers to the one-question survey after a purchase: how likely to recommend us, 0–10. */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    orderId: ref('order_id').references(() => orders.id),
    score: integer('score').notNull(),
    comment: text('comment'),
    channel: text('channel', { enum: ['mp', 'chat'] }).notNull(),
    answeredAt: at('answered_at').notNull(),
  },
  (t) => [
    uniqueIndex('survey_responses_order_key').on(t.orderId),
    index('survey_responses_member_idx').on(t.memberId, t.answeredAt),
    check('survey_responses_score', sql`${t.score} between 0 and 10`),
  ],
)
export type SurveyResponse = typeof surveyResponses.$inferSelect

/** A referral ask made to a satisfied member (by their advisor or a campaign), so nobody is asked twice. */
export const advocacyAsks = pgTable(
  'advocacy_asks',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    advisorAccountId: ref('advisor_account_id').references(() => botAccounts.id),
    operatorId: ref('operator_id').references(() => operators.id),
    channel: text('channel', { enum: ['chat', 'campaign', 'store', 'other'] }).notNull(),
    note: text('note'),
    askedAt: at('asked_at').notNull(),
  },
  (t) => [index('advocacy_asks_member_idx').on(t.memberId, t.askedAt)],
)

/**
 * Referral counts of every member in the forest, computed over the whole forest by the referral-stats
 * job (the per-member views compute theirs live). Derived data: rebuilt from `referrals`, never
 * edited; a row is rewritten only when its counts change (`refreshed_at` = when they last did).
 */
export const referralStats = pgTable(
  'referral_stats',
  {
    memberId: ref('member_id').primaryKey(),
    directCount: integer('direct_count').notNull(),
    downlineCount: integer('downline_count').notNull(),
    depth: integer('depth').notNull(),
    rootMemberId: ref('root_member_id').notNull(),
    refreshedAt: at('refreshed_at').notNull(),
  },
  (t) => [
    index('referral_stats_direct_idx').on(t.directCount),
    index('referral_stats_downline_idx').on(t.downlineCount),
  ],
)
