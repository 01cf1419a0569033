// Who may act: operators of the console (and store staff), and members' mini-program sessions.
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'
import { botAccounts } from './chat'

/**
 * admin: everything, incl. operators and settings; operator: members, campaigns, chat, content,
 * reports; staff: the store's till; finance: refunds, withdrawals, reconciliation; advisor: the members
 * and chats of their own bot accounts. What each may do is the policy table in server/policy.ts.
 */
export const operatorRoles = ['admin', 'operator', 'staff', 'finance', 'advisor'] as const
export type OperatorRole = (typeof operatorRoles)[number]

export const operators = pgTable(
  'operators',
  {
    id: id(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: operatorRoles }).notNull(),
    /** scrypt: `salt:hash`, both hex. */
    passwordHash: text('password_hash').notNull(),
    disabledAt: at('disabled_at'),
    /** Set for the initial administrator and after a reset: every operation but changing it is refused. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('operators_username_key').on(t.username)],
)
export type Operator = typeof operators.$inferSelect

/** The bot accounts an advisor serves: their data scope (members assigned to these accounts). */
export const operatorAccounts = pgTable(
  'operator_accounts',
  {
    operatorId: ref('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    accountId: ref('account_id')
      .notNull()
      .references(() => botAccounts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'operator_accounts_pkey', columns: [t.operatorId, t.accountId] })],
)

/** Failed logins per user name and per IP (rate-limiter-flexible's drizzle store), shared by processes. */
export const loginThrottles = pgTable('login_throttles', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: at('expire'),
})

/** Opaque bearer tokens, stored only as their SHA-256. */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    /** What the console lists and revokes by; the token itself is never shown again. */
    id: bigint('id', { mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    operatorId: ref('operator_id')
      .notNull()
      .references(() => operators.id),
    expiresAt: at('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
  },
  (t) => [
    index('operator_sessions_operator_idx').on(t.operatorId),
    uniqueIndex('operator_sessions_id_key').on(t.id),
  ],
)

/** Mini-program sessions: our own token; WeChat's session_key stays here and never leaves the server. */
export const memberSessions = pgTable(
  'member_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    /** Encrypted WeChat session_key, when the session came from code2Session. */
    sessionKey: text('session_key'),
    expiresAt: at('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('member_sessions_member_idx').on(t.memberId)],
)
