import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { memberReferences } from './references'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('lists every foreign key to members, so a merge misses nothing', async () => {
  const fks = await queryRows<{ table: string; column: string }>(
    database.db,
    sql`select c.conrelid::regclass::text as table, a.attname as column
        from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.contype = 'f' and c.confrelid = 'members'::regclass and c.conrelid not in ('members'::regclass, 'member_merges'::regclass)`,
  )
  const listed = new Set(memberReferences.map((r) => `${r.table}.${r.column}`))
  const missing = fks.map((f) => `${f.table}.${f.column}`).filter((k) => !listed.has(k))
  expect(missing).toEqual([])
})
