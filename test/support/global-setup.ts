// Once per test run: a migrated database to copy for every test file.
// - PGlite (default): migrate in memory, dump the data directory to a snapshot file (cached by the
//   migrations' content), which each test file loads in well under a second.
// - TEST_DATABASE_URL: migrate a template database on that server; each test file clones it.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { openPglite, openPostgres } from '../../shared/db/client'
import { migrate, migrationsFolder } from '../../shared/db/migrate'
import { adminUrl, withDatabase } from './pg-admin'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string
    pgTemplate: string
    pgRunId: string
  }
}

function migrationsHash(): string {
  const h = createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else h.update(entry.name).update(readFileSync(p))
    }
  }
  walk(migrationsFolder)
  return h.digest('hex').slice(0, 16)
}

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL
  if (url) {
    const runId = `${process.pid}_${randomBytes(3).toString('hex')}`
    const template = `sup_tpl_${runId}`
    const admin = new pg.Client({ connectionString: adminUrl(url) })
    await admin.connect()
    await admin.query(`create database ${template}`)
    await admin.end()
    const database = await openPostgres(withDatabase(url, template), { max: 1 })
    await migrate(database)
    await database.close()
    project.provide('pgTemplate', template)
    project.provide('pgRunId', runId)
    project.provide('pgliteSnapshot', '')
    return async () => {
      const c = new pg.Client({ connectionString: adminUrl(url) })
      await c.connect()
      const { rows } = await c.query<{ datname: string }>(
        `select datname from pg_database where datname like $1`,
        [`sup_%${runId}%`],
      )
      for (const { datname } of rows) await c.query(`drop database if exists ${datname} with (force)`)
      await c.end()
    }
  }

  const cacheDir = path.resolve('node_modules/.cache/super-user-ops')
  mkdirSync(cacheDir, { recursive: true })
  const snapshot = path.join(cacheDir, `pglite-${migrationsHash()}.tar`)
  if (!existsSync(snapshot)) {
    const database = await openPglite()
    await migrate(database)
    const blob = await (database.driver as import('@electric-sql/pglite').PGlite).dumpDataDir('none')
    writeFileSync(snapshot, Buffer.from(await blob.arrayBuffer()))
    await database.close()
  }
  project.provide('pgliteSnapshot', snapshot)
  project.provide('pgTemplate', '')
  project.provide('pgRunId', '')
}
