// Apply the committed drizzle-kit migrations. Several processes may start at once against one
// PostgreSQL server: an advisory lock lets exactly one of them migrate while the others wait.
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type pg from 'pg'
import type { Database } from './client'

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))
const MIGRATION_LOCK = 7_240_001

export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(drizzlePglite(database.driver as PGlite), { migrationsFolder })
    return
  }
  const client = await (database.driver as pg.Pool).connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    await migratePg(drizzlePg(client), { migrationsFolder })
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
    client.release()
  }
}
