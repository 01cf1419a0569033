// Who may act: operators of the console (and store staff), and members' mini-program sessions.
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../columns'
import { members } from './members'

export const operatorRoles = ['admin', 'operator', 'staff'] as const
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
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('operators_username_key').on(t.username)],
)
export type Operator = typeof operators.$inferSelect

/** Opaque bearer tokens, stored only as their SHA-256. */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    operatorId: ref('operator_id')
      .notNull()
      .references(() => operators.id),
    expiresAt: at('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('operator_sessions_operator_idx').on(t.operatorId)],
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
