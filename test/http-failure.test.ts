// An unexpected failure is a 500 that reveals nothing, and the process keeps serving.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken } from './support/factories'

let database: Database
let app: TestApp
let token: string

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  token = await memberToken(database.db, (await makeMember(database.db)).id)
})
afterAll(async () => {
  await app.close()
})

it('answers 500 with no internals when the database is gone, and 503 on /healthz', async () => {
  expect((await app.request('GET', '/api/mp/me', { token })).status).toBe(200)
  await database.close()
  const res = await app.request('GET', '/api/mp/me', { token })
  expect(res.status).toBe(500)
  expect(res.body).toEqual({ error: { code: 'internal_error', message: '服务器内部错误，请稍后重试' } })
  expect(res.text).not.toMatch(/select|stack|pglite|pg_|Error:/i)
  const health = await app.request('GET', '/healthz')
  expect(health.status).toBe(503)
  expect(health.body.error.code).toBe('database_unavailable')
})
