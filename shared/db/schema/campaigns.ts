// Campaigns: keeping in touch with members (holiday and birthday greetings, service reminders,
// win-backs, tier invites, referral asks, benefit-change notices), their runs and every recipient.
import { sql } from 'drizzle-orm'
import {
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'

export const campaignKinds = [
  'holiday',
  'birthday',
  'service_reminder',
  'win_back',
  'tier_invite',
  'referral_ask',
  'benefit_change',
] as const
export type CampaignKind = (typeof campaignKinds)[number]

/** draft → approved (an operator checked preview and dry run) → paused/archived. Any edit → draft. */
export const campaignStatuses = ['draft', 'approved', 'paused', 'archived'] as const
export type CampaignStatus = (typeof campaignStatuses)[number]

/**
 * direct: 1:1 through the member's advisor account, falling back to a mini-program subscribe message;
 * group: a post in chosen groups; subscribe: the mini-program subscribe message only.
 */
export const campaignChannels = ['direct', 'group', 'subscribe'] as const
export type CampaignChannel = (typeof campaignChannels)[number]

export const campaigns = pgTable(
  'campaigns',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind', { enum: campaignKinds }).notNull(),
    /** The kind's arguments (validated by the kind's zod schema), e.g. {"inactiveDays": 90}. */
    kindArgs: jsonb('kind_args').notNull().default({}),
    /** A saved member segment, evaluated when the campaign runs; null = everyone the kind selects. */
    segmentId: ref('segment_id'),
    channel: text('channel', { enum: campaignChannels }).notNull(),
    /** Wording variants with {{variables}}; each recipient gets one at random. */
    variants: jsonb('variants').$type<string[]>().notNull(),
    /** The mini-program subscribe message: template id, page and a template per data field. */
    subscribe: jsonb('subscribe'),
    /** Which groups a group post goes to. */
    groupTarget: jsonb('group_target'),
    /** once / yearly on an occasion / daily, at a time of day in Asia/Shanghai. */
    schedule: jsonb('schedule').notNull(),
    /** Points or a coupon attached to the message. */
    offer: jsonb('offer'),
    /** Share of the audience (percent) held out and not sent, to measure the uplift against. */
    holdoutPct: integer('holdout_pct').notNull().default(0),
    /** A member messaged by this campaign is left alone for this many days (win-backs, invites). */
    cooldownDays: integer('cooldown_days'),
    status: text('status', { enum: campaignStatuses }).notNull().default('draft'),
    /** Bumped by every edit; the approval names the version it approved. */
    version: integer('version').notNull().default(1),
    createdBy: ref('created_by'),
    approvedBy: ref('approved_by'),
    approvedVersion: integer('approved_version'),
    approvedAt: at('approved_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('campaigns_status_idx').on(t.status),
    check('campaigns_holdout_range', sql`${t.holdoutPct} between 0 and 50`),
    check('campaigns_cooldown_positive', sql`${t.cooldownDays} is null or ${t.cooldownDays} > 0`),
  ],
)
export type Campaign = typeof campaigns.$inferSelect

export const campaignRunStatuses = ['planning', 'planned', 'cancelled', 'failed'] as const
export type CampaignRunStatus = (typeof campaignRunStatuses)[number]

/** Where planning of a run has got to: a run that stopped half-way resumes at its phase. */
export const campaignRunPhases = ['audience', 'gifts', 'done'] as const
export type CampaignRunPhase = (typeof campaignRunPhases)[number]

/** One sending of a campaign for one occasion (a festival day, a day's birthdays, a one-off). */
export const campaignRuns = pgTable(
  'campaign_runs',
  {
    id: id(),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** The occasion this run is for: `once`, or the Asia/Shanghai date of a yearly/daily run. */
    occasionKey: text('occasion_key').notNull(),
    /** The festival or brand date, for holiday greetings. */
    occasionName: text('occasion_name'),
    /** The Asia/Shanghai calendar date the run is for. */
    runDate: date('run_date').notNull(),
    status: text('status', { enum: campaignRunStatuses }).notNull().default('planning'),
    phase: text('phase', { enum: campaignRunPhases }).notNull().default('audience'),
    /** The campaign version planned. */
    campaignVersion: integer('campaign_version').notNull(),
    /** The audience is planned in batches of member ids: the last id of the last batch committed. */
    cursorMemberId: ref('cursor_member_id'),
    /** Which worker is planning it, until when. */
    leaseOwner: text('lease_owner'),
    leaseUntil: at('lease_until'),
    startedAt: at('started_at').notNull(),
    plannedAt: at('planned_at'),
    cancelledAt: at('cancelled_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('campaign_runs_campaign_occasion_key').on(t.campaignId, t.occasionKey),
    index('campaign_runs_status_idx').on(t.status),
  ],
)
export type CampaignRun = typeof campaignRuns.$inferSelect

export const recipientCohorts = ['send', 'holdout', 'opted_out'] as const
export type RecipientCohort = (typeof recipientCohorts)[number]
export const recipientChannels = ['direct', 'subscribe', 'none'] as const
export type RecipientChannel = (typeof recipientChannels)[number]
export const unreachableReasons = ['no_advisor', 'no_chat_contact', 'no_subscribe_consent'] as const
export type UnreachableReason = (typeof unreachableReasons)[number]
export const subscribeStatuses = ['pending', 'sending', 'sent', 'failed'] as const

/**
 * Every member a run selected, once: who is sent to (and how), who is held out, who opted out. The
 * direct messages themselves — their text included — are rows of the paced outbox
 * (`outbound_messages`, dedupe key `campaign:<run>:<member>`); subscribe messages are sent from here.
 * Written only by the planner, in bulk, from `members` and its own run in the same statement: the
 * foreign keys are left out so that 50,000 rows are not 100,000 key checks.
 */
export const campaignRecipients = pgTable(
  'campaign_recipients',
  {
    runId: ref('run_id').notNull(),
    memberId: ref('member_id').notNull(),
    /** The advisor account at planning time (what results are grouped by). */
    accountId: ref('account_id'),
    cohort: text('cohort', { enum: recipientCohorts }).notNull(),
    channel: text('channel', { enum: recipientChannels }).notNull(),
    unreachableReason: text('unreachable_reason', { enum: unreachableReasons }),
    /** Which wording variant the member got. */
    variant: smallint('variant'),
    subscribeData: jsonb('subscribe_data'),
    subscribeStatus: text('subscribe_status', { enum: subscribeStatuses }),
    subscribeSentAt: at('subscribe_sent_at'),
    subscribeError: text('subscribe_error'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'campaign_recipients_pkey', columns: [t.runId, t.memberId] }),
    index('campaign_recipients_member_idx').on(t.memberId),
    index('campaign_recipients_subscribe_due_idx')
      .on(t.subscribeStatus, t.runId, t.memberId)
      .where(sql`${t.subscribeStatus} in ('pending', 'sending')`),
  ],
)
export type CampaignRecipient = typeof campaignRecipients.$inferSelect

/** The brand's own yearly dates (anniversary, member day), on the solar or the lunar calendar. */
export const brandDates = pgTable(
  'brand_dates',
  {
    id: id(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    calendar: text('calendar', { enum: ['solar', 'lunar'] }).notNull(),
    month: smallint('month').notNull(),
    day: smallint('day').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('brand_dates_code_key').on(t.code),
    check(
      'brand_dates_valid_day',
      sql`${t.month} between 1 and 12 and ${t.day} between 1 and (case when ${t.calendar} = 'lunar' then 30 else 31 end)`,
    ),
  ],
)

/**
 * Mini-program subscribe-message consents left: each time a member accepts a template in
 * wx.requestSubscribeMessage they allow one message with it; sending one uses one up.
 */
export const subscribeConsents = pgTable(
  'subscribe_consents',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    templateId: text('template_id').notNull(),
    remaining: integer('remaining').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('subscribe_consents_member_template_key').on(t.memberId, t.templateId),
    check('subscribe_consents_remaining_nonnegative', sql`${t.remaining} >= 0`),
  ],
)

/** Dates on a member that service reminders count down to: a maintenance, a refill, a renewal. */
export const memberServiceDates = pgTable(
  'member_service_dates',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** What is due, as members read it: 保养, 复购提醒, 会员续费. */
    service: text('service').notNull(),
    dueOn: date('due_on').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('member_service_dates_due_idx').on(t.dueOn, t.service),
    index('member_service_dates_member_idx').on(t.memberId),
  ],
)
