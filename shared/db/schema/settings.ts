// Rules operators change (store rules, the points policy, …) stored as data: one current document per
// key with its version, and every version kept, with who changed it and when. The code holds only the
// defaults; shared/settings/ reads and writes them.
import { integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, id, ref } from '../columns'
import { operators } from './auth'

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: at('updated_at').notNull().defaultNow(),
  updatedBy: ref('updated_by').references(() => operators.id),
})
export type SettingRow = typeof settings.$inferSelect

export const settingChanges = pgTable(
  'setting_changes',
  {
    id: id(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    value: jsonb('value').notNull(),
    changedBy: ref('changed_by').references(() => operators.id),
    changedAt: at('changed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('setting_changes_key_version_key').on(t.key, t.version)],
)
export type SettingChange = typeof settingChanges.$inferSelect
