// The account pool: the brand's personal WeChat accounts and the groups they run.
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../db/columns'

export const botAccountStates = [
  'needs_scan',
  'online',
  'limited',
  'logged_out',
  'banned',
  'disabled',
] as const
export type BotAccountState = (typeof botAccountStates)[number]

export const botAccounts = pgTable(
  'bot_accounts',
  {
    id: id(),
    /** Unique name, also the Wechaty instance name. */
    name: text('name').notNull(),
    /** Shown to operators, e.g. "小美 · 专属顾问". */
    displayName: text('display_name').notNull(),
    puppet: text('puppet').notNull().default('wechaty-puppet-mock'),
    /** Puppet token, AES-256-GCM encrypted with SECRET_KEY; absent = taken from the environment. */
    puppetTokenEncrypted: text('puppet_token_encrypted'),
    state: text('state', { enum: botAccountStates }).notNull().default('needs_scan'),
    friendCapacity: integer('friend_capacity').notNull().default(5000),
    friendCount: integer('friend_count').notNull().default(0),
    dailyCap: integer('daily_cap').notNull().default(300),
    quietStart: text('quiet_start').notNull().default('22:00'),
    quietEnd: text('quiet_end').notNull().default('08:30'),
    /** The login QR code for operators to scan while state = needs_scan. */
    loginQr: text('login_qr'),
    /** Which bot process runs this account, until when: an account never runs twice. */
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: at('lease_expires_at'),
    lastLoginAt: at('last_login_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('bot_accounts_name_key').on(t.name),
    check('bot_accounts_capacity_positive', sql`${t.friendCapacity} > 0 and ${t.dailyCap} >= 0`),
  ],
)
export type BotAccount = typeof botAccounts.$inferSelect

export const chatGroups = pgTable(
  'chat_groups',
  {
    id: id(),
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id),
    /** The puppet's room id. */
    roomId: text('room_id').notNull(),
    topic: text('topic').notNull(),
    purpose: text('purpose', { enum: ['tier', 'interest', 'general'] })
      .notNull()
      .default('general'),
    tierLevelId: ref('tier_level_id'),
    interest: text('interest'),
    capacity: integer('capacity').notNull().default(500),
    memberCount: integer('member_count').notNull().default(0),
    announcement: text('announcement'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chat_groups_account_room_key').on(t.accountId, t.roomId),
    index('chat_groups_purpose_idx').on(t.purpose),
  ],
)

export const outboundStatuses = [
  'queued',
  'claimed',
  'sent',
  'failed',
  'dead',
  'cancelled',
  'skipped',
] as const
export type OutboundStatus = (typeof outboundStatuses)[number]

/**
 * The paced outbox: every proactive message (campaign greeting, notice, operator message) is a row
 * here, claimed by the bot process that owns the account (FOR UPDATE SKIP LOCKED) and sent at the
 * account's pace. The dedupe key makes enqueueing idempotent: nobody gets the same greeting twice.
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: id(),
    dedupeKey: text('dedupe_key').notNull(),
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id),
    /** 1:1 messages go to a member (their chat contact on this account, resolved at send time). */
    memberId: ref('member_id'),
    /** Group posts go to a group. */
    chatGroupId: ref('chat_group_id').references(() => chatGroups.id),
    kind: text('kind', { enum: ['direct', 'group'] }).notNull(),
    text: text('text').notNull(),
    /** campaign, notice, welcome, keyword, operator */
    source: text('source').notNull(),
    campaignRunId: ref('campaign_run_id'),
    status: text('status', { enum: outboundStatuses }).notNull().default('queued'),
    priority: integer('priority').notNull().default(0),
    notBefore: at('not_before').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedUntil: at('claimed_until'),
    sentAt: at('sent_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbound_messages_dedupe_key').on(t.dedupeKey),
    index('outbound_messages_due_idx').on(t.accountId, t.status, t.notBefore),
    index('outbound_messages_member_idx').on(t.memberId),
    index('outbound_messages_run_idx').on(t.campaignRunId),
    check(
      'outbound_messages_target',
      sql`(${t.kind} = 'direct' and ${t.memberId} is not null) or (${t.kind} = 'group' and ${t.chatGroupId} is not null)`,
    ),
  ],
)
export type OutboundMessage = typeof outboundMessages.$inferSelect
