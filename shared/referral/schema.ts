// Who brought whom: share codes and the referral tree.
import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, ref } from '../db/columns'
import { members } from '../members/schema'

/** A short code (≤ 32 chars, usable as a mini-program code `scene`) that carries the sharer. */
export const shareCodes = pgTable(
  'share_codes',
  {
    code: text('code').primaryKey(),
    memberId: ref('member_id')
      .notNull()
      .references(() => members.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('share_codes_member_key').on(t.memberId),
    check('share_codes_length', sql`length(${t.code}) <= 32`),
  ],
)

/** One attribution per referee (first touch): the edge of the referral tree. */
export const referrals = pgTable(
  'referrals',
  {
    id: id(),
    referrerId: ref('referrer_id')
      .notNull()
      .references(() => members.id),
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
    check('referrals_not_self', sql`${t.referrerId} <> ${t.refereeId}`),
  ],
)
