// The mini-program's access token, shared by every process: one row per appid, refreshed by whichever
// process holds the refresh lease, read by all the others.
import { pgTable, text } from 'drizzle-orm/pg-core'
import { at } from '../columns'

export const wechatAccessTokens = pgTable('wechat_access_tokens', {
  appid: text('appid').primaryKey(),
  accessToken: text('access_token'),
  expiresAt: at('expires_at'),
  /** The process refreshing the token until this instant; others wait for its result. */
  refreshLeaseUntil: at('refresh_lease_until'),
  refreshedBy: text('refreshed_by'),
  updatedAt: at('updated_at').notNull().defaultNow(),
})
