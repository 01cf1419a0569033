// Once per browser run: the migrated database of every test run, seeded with the demo brand (240
// members) and three operators — one of each role — and kept as the template every browser test file
// copies (a PGlite snapshot, or a template database on TEST_DATABASE_URL's server). Seeding once
// instead of in each file keeps the suite short as screens are added.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { createOperator } from '../../shared/auth/service'
import { openPglite, openPostgres, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import baseSetup from '../support/global-setup'
import { adminUrl, withDatabase } from '../support/pg-admin'
import { consoleOperators, SEEDED_MEMBERS } from '../support/console-fixtures'

async function seed(database: Database) {
  await seedDemo(database, { members: SEEDED_MEMBERS, now: new Date() })
  for (const o of Object.values(consoleOperators)) await createOperator(database.db, o)
}

export default async function setup(project: TestProject) {
  const teardown = await baseSetup(project)
  const url = process.env.TEST_DATABASE_URL
  if (url) {
    const provided = project.getProvidedContext()
    // The name carries the run id, so the base teardown (which drops sup_%<runId>%) drops it too.
    const template = `sup_tpl_seeded_${provided.pgRunId}`
    const admin = new pg.Client({ connectionString: adminUrl(url) })
    await admin.connect()
    await admin.query(`create database ${template} template ${provided.pgTemplate}`)
    await admin.end()
    const database = await openPostgres(withDatabase(url, template), { max: 2 })
    await seed(database)
    await database.close()
    project.provide('pgTemplate', template)
    return teardown
  }
  const database = await openPglite({
    loadDataDir: new Blob([readFileSync(project.getProvidedContext().pgliteSnapshot)]),
  })
  await seed(database)
  const blob = await (database.driver as import('@electric-sql/pglite').PGlite).dumpDataDir('none')
  await database.close()
  const snapshot = path.resolve('node_modules/.cache/super-user-ops', `pglite-seeded-${process.pid}.tar`)
  writeFileSync(snapshot, Buffer.from(await blob.arrayBuffer()))
  project.provide('pgliteSnapshot', snapshot)
  return async () => {
    rmSync(snapshot, { force: true })
    await teardown?.()
  }
}
