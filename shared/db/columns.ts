// Column conventions shared by every domain schema: bigint identity ids, UTC timestamps.
import { bigint, timestamp } from 'drizzle-orm/pg-core'

export const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity()
export const ref = (name: string) => bigint(name, { mode: 'number' })
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const createdAt = () => at('created_at').notNull().defaultNow()
