// The HTTP foundation: health, errors rendered as {error:{code,message,fields}}, auth realms, limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { testConfig } from './support/config'

let database: Database
let app: TestApp

beforeAll(async () => {
  database = await testDatabase()
  const config = testConfig({
    BODY_LIMIT: '2kb',
    ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
  })
  app = await startTestApp(database, { config })
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('system routes', () => {
  it('GET /healthz checks the database', async () => {
    const res = await app.request('GET', '/healthz')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok', database: database.kind })
  })

  it('every response carries a request id, and a sane incoming one is kept', async () => {
    const a = await app.request('GET', '/healthz')
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const b = await app.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-12345678' } })
    expect(b.headers.get('x-request-id')).toBe('trace-12345678')
  })

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await app.request('GET', '/api/openapi.json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    const login = res.body.paths['/api/admin/login'].post
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password'])
    expect(res.body.paths['/api/mp/me'].patch.security).toEqual([{ member: [] }])
  })

  it('unknown routes get a JSON 404', async () => {
    const res = await app.request('GET', '/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})

describe('bad input gets a clear 4xx', () => {
  it('a malformed request names every wrong field', async () => {
    const res = await app.request('POST', '/api/admin/login', { body: { username: '', password: 42 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_input')
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.password',
      'body.username',
    ])
    expect(res.body.error.fields.find((f: { path: string }) => f.path === 'body.username').message).toBe(
      '请输入用户名',
    )
  })

  it('broken JSON is a 400, not a 500', async () => {
    const res = await app.request('POST', '/api/admin/login', { raw: '{"username": "a",' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('bad_request')
  })

  it('a body over the limit is a 413', async () => {
    const res = await app.request('POST', '/api/admin/login', {
      body: { username: 'x'.repeat(5000), password: 'y' },
    })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('wrong credentials are a 401 that does not say which part was wrong', async () => {
    await operatorToken(database.db)
    const res = await app.request('POST', '/api/admin/login', {
      body: { username: 'nobody', password: 'whatever' },
    })
    expect(res.status).toBe(401)
    expect(res.body.error).toEqual({ code: 'invalid_credentials', message: '用户名或密码错误' })
  })
})

describe('auth realms', () => {
  it('operator routes need an operator token; a member token is not one', async () => {
    const member = await makeMember(database.db)
    const mToken = await memberToken(database.db, member.id)
    expect((await app.request('GET', '/api/admin/me')).status).toBe(401)
    expect((await app.request('GET', '/api/admin/me', { token: mToken })).status).toBe(401)
    const oToken = await operatorToken(database.db, 'operator')
    const me = await app.request('GET', '/api/admin/me', { token: oToken })
    expect(me.status).toBe(200)
    expect(me.body.role).toBe('operator')
  })

  it('operators log in with a password and get a working token', async () => {
    await operatorToken(database.db) // ensures at least one operator exists
    const { createOperator } = await import('../shared/auth/service')
    await createOperator(database.db, {
      username: 'cashier1',
      displayName: '收银员',
      role: 'staff',
      password: 'till-pass-1',
    })
    const login = await app.request('POST', '/api/admin/login', {
      body: { username: 'cashier1', password: 'till-pass-1' },
    })
    expect(login.status).toBe(200)
    const me = await app.request('GET', '/api/admin/me', { token: login.body.token })
    expect(me.body).toMatchObject({ username: 'cashier1', role: 'staff' })
  })

  it('a member reads and updates their own profile; a bad field is named and nothing changes', async () => {
    const member = await makeMember(database.db, { name: '晏涛' })
    const token = await memberToken(database.db, member.id)
    const bad = await app.request('PATCH', '/api/mp/me', {
      token,
      body: { city: '杭州', birthday: '1990-13-45' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields).toEqual([{ path: 'body.birthday', message: '生日格式应为 YYYY-MM-DD' }])
    const unchanged = await app.request('GET', '/api/mp/me', { token })
    expect(unchanged.body.city).toBeNull()

    const ok = await app.request('PATCH', '/api/mp/me', {
      token,
      body: { city: '杭州', birthday: '1990-03-15' },
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({
      name: '晏涛',
      city: '杭州',
      birthday: '1990-03-15',
      memberNo: member.memberNo,
    })
  })

  it('unknown profile fields are refused rather than silently dropped', async () => {
    const member = await makeMember(database.db)
    const token = await memberToken(database.db, member.id)
    const res = await app.request('PATCH', '/api/mp/me', { token, body: { stage: 'super_user' } })
    expect(res.status).toBe(400)
    expect(res.body.error.fields[0].path).toBe('body')
  })
})
