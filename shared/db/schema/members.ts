// Members: one person across every channel, their profile, tags, event stream and journey stage.
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'

export const lifecycleStages = ['stranger', 'intention', 'customer', 'repurchaser', 'super_user'] as const
export type LifecycleStage = (typeof lifecycleStages)[number]

export const repurchaserKinds = ['spontaneous', 'ignitable', 'non_combustible'] as const
export type RepurchaserKind = (typeof repurchaserKinds)[number]

/** Member numbers: M10000001, M10000002, … (printed on cards, written into chat remarks). */
export const memberNoSeq = pgSequence('member_no_seq', { startWith: 10000001 })

export const members = pgTable(
  'members',
  {
    id: id(),
    /** The number printed on the member card and written into chat remarks. */
    memberNo: text('member_no')
      .notNull()
      .default(sql`'M' || nextval('member_no_seq')`),
    name: text('name'),
    nickname: text('nickname'),
    gender: text('gender', { enum: ['unknown', 'male', 'female'] })
      .notNull()
      .default('unknown'),
    birthday: date('birthday'),
    birthdayCalendar: text('birthday_calendar', { enum: ['solar', 'lunar'] })
      .notNull()
      .default('solar'),
    city: text('city'),
    occupation: text('occupation'),
    avatarUrl: text('avatar_url'),
    stage: text('stage', { enum: lifecycleStages }).notNull().default('stranger'),
    repurchaserKind: text('repurchaser_kind', { enum: repurchaserKinds }),
    /** The personal WeChat account that acts as this member's advisor (专属顾问). */
    advisorAccountId: ref('advisor_account_id'),
    /** Where the member first came from: mini-program, chat, store, import, referral. */
    source: text('source').notNull().default('unknown'),
    /** Set when the member replied 退订: no more campaign messages. */
    optedOutAt: at('opted_out_at'),
    /** Set on the absorbed member of a merge; it keeps no identities or references while merged. */
    mergedIntoId: ref('merged_into_id'),
    lastSeenAt: at('last_seen_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('members_member_no_key').on(t.memberNo),
    index('members_stage_idx').on(t.stage),
    // Merged members are few: counts that leave them out look them up here, not in every member.
    index('members_merged_idx')
      .on(t.mergedIntoId)
      .where(sql`${t.mergedIntoId} is not null`),
    index('members_advisor_idx').on(t.advisorAccountId),
    index('members_birthday_md_idx').on(
      sql`((extract(month from ${t.birthday}) * 100 + extract(day from ${t.birthday}))::int)`,
    ),
  ],
)
export type Member = typeof members.$inferSelect

export const identityKinds = [
  'mp_openid',
  'unionid',
  'oa_openid',
  'phone',
  'chat_contact',
  'store_card',
] as const
export type IdentityKind = (typeof identityKinds)[number]

/** One row per way we know a person. A chat contact's value is `<accountId>:<contactId>`. */
export const memberIdentities = pgTable(
  'member_identities',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: identityKinds }).notNull(),
    value: text('value').notNull(),
    verified: boolean('verified').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('member_identities_kind_value_key').on(t.kind, t.value),
    index('member_identities_member_idx').on(t.memberId),
  ],
)
export type MemberIdentity = typeof memberIdentities.$inferSelect

/** A merge of `mergedId` into `survivorId`, with what it moved, so it can be undone exactly. */
export const memberMerges = pgTable('member_merges', {
  id: id(),
  survivorId: ref('survivor_id')
    .notNull()
    .references(() => members.id),
  mergedId: ref('merged_id')
    .notNull()
    .references(() => members.id),
  reason: text('reason').notNull(),
  operatorId: ref('operator_id'),
  /** Every re-pointed row, by table, plus both members' state before the merge. */
  moved: jsonb('moved').notNull(),
  createdAt: createdAt(),
  undoneAt: at('undone_at'),
})

export const tagDimensions = pgTable(
  'tag_dimensions',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Multi-valued dimensions (interests) allow several tags; single-valued (skin type) one. */
    multiple: boolean('multiple').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tag_dimensions_code_key').on(t.code)],
)

export const tags = pgTable(
  'tags',
  {
    id: id(),
    dimensionId: ref('dimension_id')
      .notNull()
      .references(() => tagDimensions.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tags_dimension_name_key').on(t.dimensionId, t.name)],
)

export const memberTags = pgTable(
  'member_tags',
  {
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    tagId: ref('tag_id')
      .notNull()
      .references(() => tags.id),
    /** operator, staff, bot or system */
    taggedBy: text('tagged_by').notNull(),
    operatorId: ref('operator_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.tagId] }), index('member_tags_tag_idx').on(t.tagId)],
)

export const memberEventTypes = [
  'chat_message',
  'friend_added',
  'group_joined',
  'group_left',
  'product_view',
  'cart_add',
  'order_placed',
  'order_paid',
  'order_refunded',
  'share',
  'referral',
  'feedback',
  'check_in',
  'points_changed',
  'tier_changed',
  'campaign_delivered',
  'profile_completed',
  'oa_followed',
  'oa_unfollowed',
  /** A message, menu click or code scan on the official account (payload.kind says which). */
  'oa_message',
  'store_visit',
  'survey_answered',
] as const
export type MemberEventType = (typeof memberEventTypes)[number]

/** The member's single event stream: everything the timeline, the lifecycle and the segments read. */
export const memberEvents = pgTable(
  'member_events',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    type: text('type', { enum: memberEventTypes }).notNull(),
    occurredAt: at('occurred_at').notNull(),
    payload: jsonb('payload').notNull().default({}),
    /** Idempotency key of the source (a message id, an order number): a retried event is stored once. */
    sourceKey: text('source_key'),
    createdAt: createdAt(),
  },
  (t) => [
    index('member_events_member_time_idx').on(t.memberId, t.occurredAt),
    index('member_events_type_time_idx').on(t.type, t.occurredAt),
    uniqueIndex('member_events_source_key_key').on(t.sourceKey),
  ],
)
export type MemberEvent = typeof memberEvents.$inferSelect

export const memberStageChanges = pgTable(
  'member_stage_changes',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    fromStage: text('from_stage', { enum: lifecycleStages }),
    toStage: text('to_stage', { enum: lifecycleStages }).notNull(),
    changedAt: at('changed_at').notNull(),
  },
  (t) => [
    index('member_stage_changes_member_idx').on(t.memberId, t.changedAt),
    index('member_stage_changes_time_idx').on(t.changedAt),
    check('member_stage_changes_differ', sql`${t.fromStage} is distinct from ${t.toStage}`),
  ],
)

/**
 * What the lifecycle, the candidate ranking and the segments read about a member, derived from the
 * orders, events, referrals and tiers: refreshed for one member on each of their events and for
 * everybody by the nightly pass. Windowed counts are as of the last refresh; recency is judged at read
 * time from the absolute timestamps (and from `members.last_seen_at`). `computedAt` is when the figures
 * last changed.
 */
export const memberStats = pgTable(
  'member_stats',
  {
    memberId: ref('member_id')
      .primaryKey()
      .references(() => members.id),
    /** Paid orders not refunded or cancelled (partly refunded ones count). */
    paidOrders: integer('paid_orders').notNull().default(0),
    orders90d: integer('orders_90d').notNull().default(0),
    orders180d: integer('orders_180d').notNull().default(0),
    orders365d: integer('orders_365d').notNull().default(0),
    /** What the member paid, net of refunds, in fen. */
    spendFen: bigint('spend_fen', { mode: 'number' }).notNull().default(0),
    firstPaidAt: at('first_paid_at'),
    lastPaidAt: at('last_paid_at'),
    categories: integer('categories').notNull().default(0),
    brands: integer('brands').notNull().default(0),
    shares: integer('shares').notNull().default(0),
    /** Members this member brought (referrals as referrer). */
    referrals: integer('referrals').notNull().default(0),
    feedbacks: integer('feedbacks').notNull().default(0),
    complaints: integer('complaints').notNull().default(0),
    lastFeedbackAt: at('last_feedback_at'),
    lastComplaintAt: at('last_complaint_at'),
    /** Signs of interest short of buying: product views, cart adds, unpaid orders, check-ins, surveys. */
    interestEvents: integer('interest_events').notNull().default(0),
    /** Chat messages the member sent to an advisor or a group. */
    inboundChats: integer('inbound_chats').notNull().default(0),
    /** Engagement events (chats, views, orders, shares…) in the 30 days before the last refresh. */
    engagement30d: integer('engagement_30d').notNull().default(0),
    computedAt: at('computed_at').notNull(),
    /**
     * The moment the windowed figures were last computed for this member (on each of their events);
     * a full rebuild leaves unchanged rows alone and records its moment as the watermark instead.
     */
    windowsAt: at('windows_at'),
  },
  (t) => [
    index('member_stats_last_paid_idx').on(t.lastPaidAt),
    // The nightly pass finds the few members refreshed since the last pass by it.
    index('member_stats_windows_idx').on(t.windowsAt),
  ],
)
export type MemberStats = typeof memberStats.$inferSelect

/**
 * How far the windowed statistics (orders in 90/180/365 days, engagement in 30 days) are known right for
 * every member: each full or nightly pass records the moment it brought them up to date. The next
 * nightly pass then only refreshes members with something that crossed a window edge since.
 */
export const memberStatsWatermarks = pgTable('member_stats_watermarks', {
  name: text('name').primaryKey(),
  at: at('at').notNull(),
})

/** A saved segment: a named filter (see segments/filter.ts) that campaigns can target. */
export const segments = pgTable(
  'segments',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description'),
    filter: jsonb('filter').notNull(),
    operatorId: ref('operator_id'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_name_key').on(t.name)],
)
export type SavedSegment = typeof segments.$inferSelect

/** Operators' weights and arguments for the super-user candidate criteria (defaults live in code). */
export const candidateCriteria = pgTable('candidate_criteria', {
  code: text('code').primaryKey(),
  weight: integer('weight').notNull(),
  args: jsonb('args').notNull().default({}),
  operatorId: ref('operator_id'),
  updatedAt: at('updated_at').notNull().defaultNow(),
})
