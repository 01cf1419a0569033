// A freshly migrated database for one test file: PGlite from the run's snapshot, or a clone of the
// run's template database on the PostgreSQL server when TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import pg from 'pg'
import { openPglite, openPostgres, type Database } from '../../shared/db/client'
import { adminUrl, withDatabase } from './pg-admin'

export const onPostgresServer = () => Boolean(process.env.TEST_DATABASE_URL)

export async function testDatabase(options: { poolMax?: number } = {}): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL
  if (!url) {
    const snapshot = readFileSync(inject('pgliteSnapshot'))
    return openPglite({ loadDataDir: new Blob([snapshot]) })
  }
  const name = `sup_t_${inject('pgRunId')}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl(url) })
  await admin.connect()
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${inject('pgTemplate')}`)
        break
      } catch (err) {
        // Two files cloning the template at the same instant: PostgreSQL refuses one; try again.
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
      }
    }
  } finally {
    await admin.end()
  }
  const database = await openPostgres(withDatabase(url, name), { max: options.poolMax ?? 20 })
  const close = database.close
  return {
    ...database,
    close: async () => {
      await close()
      const c = new pg.Client({ connectionString: adminUrl(url) })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}
