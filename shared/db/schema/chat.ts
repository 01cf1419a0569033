// The account pool: the brand's personal WeChat accounts and the groups they run.
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'

/** Every action WeChat may limit an account for, each with its own counters. */
export const actionKinds = [
  /** A proactive 1:1 text (campaign, notice, operator). */
  'direct',
  /** An answer to a member who just wrote (keyword answers, welcomes): human delay, own caps. */
  'reply',
  /** A post in a group. */
  'group_post',
  /** A link or a mini-program card, 1:1 or in a group: the strictest limits. */
  'link',
  /** Accepting a friend request. */
  'friend_accept',
  /** Adding a member to a group. */
  'invite',
  /** Opening a new group. */
  'group_create',
] as const
export type ActionKind = (typeof actionKinds)[number]

export interface OutboundPayload {
  link?: { url: string; title: string; description?: string; thumbnailUrl?: string }
  miniProgram?: { appid: string; title: string; pagePath: string; thumbUrl?: string; username?: string }
  /** friend_accept: the puppet's friendship id, and the welcome queued once accepted. */
  friendshipId?: string
  welcome?: string
  /** A reply an operator wrote in the chat workbench: who wrote it. */
  operatorId?: number
}

export const botAccountStates = [
  'needs_scan',
  'online',
  'limited',
  'logged_out',
  'banned',
  'disabled',
  /** The puppet keeps failing: restarted with back-off, the reason in last_error. */
  'error',
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
    /** Which puppet runs the account; null = the configured default (WECHATY_PUPPET). */
    puppet: text('puppet'),
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
    /** Failed starts (or error bursts) in a row; the next restart waits 30 s × 2^(n-1), at most 30 min. */
    failureCount: integer('failure_count').notNull().default(0),
    /** When the supervisor tries again after a failure (state = error). */
    retryAt: at('retry_at'),
    /** The first login: the account's warm-up ramp counts its days from here. */
    firstLoginAt: at('first_login_at'),
    /** The account's contact QR (content of the "add me" code): from the puppet or uploaded. */
    contactQr: text('contact_qr'),
    contactQrSource: text('contact_qr_source', { enum: ['puppet', 'upload'] }),
    contactQrUpdatedAt: at('contact_qr_updated_at'),
    /** Counters of every paced action kind (shared/chat/pacing.ts), moved with each action. */
    pacingState: jsonb('pacing_state').notNull().default({}),
    /** Overrides of the pacing policy (gaps, back-off, retries): see shared/chat/pacing.ts. */
    pacing: jsonb('pacing').notNull().default({}),
    /** Sending paused until then (WeChat said "too frequent"); the account keeps answering chats. */
    pausedUntil: at('paused_until'),
    pauseReason: text('pause_reason'),
    /** Pacing state, moved in the same transaction as each send. */
    nextDirectAt: at('next_direct_at'),
    nextGroupAt: at('next_group_at'),
    /** The Asia/Shanghai date `sent_on_day` counts for. */
    pacingDay: text('pacing_day'),
    sentOnDay: integer('sent_on_day').notNull().default(0),
    lastSentAt: at('last_sent_at'),
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
  /** Handed to the puppet: if the process dies now nobody knows whether it left, so it is never retried. */
  'sending',
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
    /**
     * direct: 1:1 text (or link / mini-program card in `payload`); group: a post in a group; invite: add
     * the member to the group; friend_accept: accept the member's friend request.
     */
    kind: text('kind', { enum: ['direct', 'group', 'invite', 'friend_accept'] }).notNull(),
    /**
     * The pacing action kind whose counters this row moves (shared/chat/pacing.ts); set by the
     * database on insert from kind, payload and source (trigger outbound_messages_action).
     */
    action: text('action', { enum: actionKinds })
      .notNull()
      .default(sql`null`),
    /** What else the delivery needs: a link or card, the friendship id, the welcome after acceptance. */
    payload: jsonb('payload').$type<OutboundPayload>(),
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
      sql`(${t.kind} = 'direct' and ${t.memberId} is not null) or (${t.kind} = 'group' and ${t.chatGroupId} is not null) or (${t.kind} = 'invite' and ${t.memberId} is not null and ${t.chatGroupId} is not null)`,
    ),
  ],
)
export type OutboundMessage = typeof outboundMessages.$inferSelect

/** One-time codes from the mini-program ("talk to my advisor"): sent in chat, they bind the contact. */
export const chatBindCodes = pgTable(
  'chat_bind_codes',
  {
    id: id(),
    code: text('code').notNull(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** The advisor account the member was told to add. */
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    /** `<accountId>:<contactId>` that used it. */
    usedBy: text('used_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chat_bind_codes_open_code_key')
      .on(t.code)
      .where(sql`${t.usedAt} is null`),
    index('chat_bind_codes_member_idx').on(t.memberId),
  ],
)

/** Who is in which group now (left_at set when they leave); a rejoin opens a new row. */
export const chatGroupMembers = pgTable(
  'chat_group_members',
  {
    id: id(),
    chatGroupId: ref('chat_group_id')
      .notNull()
      .references(() => chatGroups.id),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    contactId: text('contact_id').notNull(),
    joinedAt: at('joined_at').notNull(),
    leftAt: at('left_at'),
  },
  (t) => [
    uniqueIndex('chat_group_members_present_key')
      .on(t.chatGroupId, t.contactId)
      .where(sql`${t.leftAt} is null`),
    index('chat_group_members_member_idx').on(t.memberId),
  ],
)

export const ticketStatuses = ['open', 'resolved'] as const

/** Feedback and complaints caught in chat, for an operator to answer. One open ticket per member. */
export const chatTickets = pgTable(
  'chat_tickets',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id),
    chatGroupId: ref('chat_group_id').references(() => chatGroups.id),
    /** complaint, suggestion, praise … from the feedback lexicon. */
    category: text('category').notNull(),
    /** The messages that opened and followed the ticket: [{at, text, matched}]. */
    messages: jsonb('messages').notNull().default([]),
    status: text('status', { enum: ticketStatuses }).notNull().default('open'),
    operatorId: ref('operator_id'),
    resolution: text('resolution'),
    openedAt: at('opened_at').notNull(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [
    uniqueIndex('chat_tickets_open_member_key')
      .on(t.memberId)
      .where(sql`${t.status} = 'open'`),
    index('chat_tickets_status_idx').on(t.status, t.openedAt),
  ],
)
export type ChatTicket = typeof chatTickets.$inferSelect

/** A member moved from a banned account to another advisor; the new account must re-add them. */
export const advisorReassignments = pgTable(
  'advisor_reassignments',
  {
    id: id(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    fromAccountId: ref('from_account_id')
      .notNull()
      .references(() => botAccounts.id),
    toAccountId: ref('to_account_id').references(() => botAccounts.id),
    reason: text('reason').notNull(),
    /** The operator still has to add the member as a friend from the new account. */
    readdPending: boolean('readd_pending').notNull().default(true),
    readdDoneAt: at('readd_done_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('advisor_reassignments_pending_idx').on(t.readdPending, t.createdAt),
    index('advisor_reassignments_member_idx').on(t.memberId),
  ],
)

/** One permanent "live code" per channel (store counter, parcel card, OA menu…): shows the QR of the account with most room. */
export const liveCodes = pgTable(
  'live_codes',
  {
    id: id(),
    /** The public, permanent code in the live code's URL. */
    code: text('code').notNull(),
    /** Source tag written on the friendships and members it brings, e.g. store_counter. */
    channel: text('channel').notNull(),
    /** Shown to operators and as the member's source tag, e.g. 门店收银台. */
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('live_codes_code_key').on(t.code), uniqueIndex('live_codes_channel_key').on(t.channel)],
)
export type LiveCode = typeof liveCodes.$inferSelect

/** Each time a live code was shown: which account's QR it showed; consumed by that account's next new friend. */
export const liveCodeScans = pgTable(
  'live_code_scans',
  {
    id: id(),
    liveCodeId: ref('live_code_id')
      .notNull()
      .references(() => liveCodes.id),
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id),
    scannedAt: at('scanned_at').notNull(),
    memberId: ref('member_id'),
    consumedAt: at('consumed_at'),
  },
  (t) => [index('live_code_scans_account_idx').on(t.accountId, t.scannedAt)],
)
