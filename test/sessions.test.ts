// Operator sessions: logout ends the token on the server, sessions are listed and revoked, logins are
// throttled per user name and IP with a lockout that ends by itself, an unknown user name takes as
// long as a wrong password, and a new operator must replace the initial password first.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../shared/auth/service'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { operatorToken } from './support/factories'

let database: Database
let app: TestApp
let admin: string

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  admin = await operatorToken(database.db, 'admin')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

let seq = 0
async function makeOperator(role: 'operator' | 'staff' = 'operator') {
  const username = `sess${++seq}${Date.now() % 10000}`
  await createOperator(database.db, { username, displayName: '会话测试', role, password: 'right-pass-123' })
  return username
}
const login = (username: string, password: string, ip = '203.0.113.9') =>
  app.request('POST', '/api/admin/login', {
    body: { username, password },
    headers: { 'x-forwarded-for': ip },
  })

describe('sessions', () => {
  it('logout revokes the token on the server', async () => {
    const username = await makeOperator()
    const { token } = (await login(username, 'right-pass-123')).body
    expect((await app.request('GET', '/api/admin/me', { token })).status).toBe(200)
    expect((await app.request('POST', '/api/admin/logout', { token })).status).toBe(204)
    const after = await app.request('GET', '/api/admin/me', { token })
    expect(after.status).toBe(401)
  })

  it('lists an operator’s sessions and revokes one of them', async () => {
    const username = await makeOperator()
    const a = (await login(username, 'right-pass-123', '198.51.100.1')).body
    const b = (await login(username, 'right-pass-123', '198.51.100.2')).body
    const list = await app.request('GET', `/api/admin/operators/${a.operator.id}/sessions`, { token: admin })
    expect(list.body.items.map((s: { ip: string }) => s.ip)).toEqual(['198.51.100.1', '198.51.100.2'])
    const mine = await app.request('GET', '/api/admin/me/sessions', { token: b.token })
    expect(mine.body.items.map((s: { current: boolean }) => s.current)).toEqual([false, true])
    const first = list.body.items[0].id
    const revoke = await app.request('DELETE', `/api/admin/operators/${a.operator.id}/sessions/${first}`, {
      token: admin,
    })
    expect(revoke.status).toBe(204)
    expect((await app.request('GET', '/api/admin/me', { token: a.token })).status).toBe(401)
    expect((await app.request('GET', '/api/admin/me', { token: b.token })).status).toBe(200)
  })

  it('disabling an operator or changing the role ends their sessions', async () => {
    const username = await makeOperator()
    const s = (await login(username, 'right-pass-123')).body
    const patch = await app.request('PATCH', `/api/admin/operators/${s.operator.id}`, {
      token: admin,
      body: { role: 'staff' },
    })
    expect(patch.body).toMatchObject({ role: 'staff' })
    expect((await app.request('GET', '/api/admin/me', { token: s.token })).status).toBe(401)
    const again = (await login(username, 'right-pass-123')).body
    await app.request('PATCH', `/api/admin/operators/${s.operator.id}`, {
      token: admin,
      body: { disabled: true },
    })
    expect((await app.request('GET', '/api/admin/me', { token: again.token })).status).toBe(401)
    expect((await login(username, 'right-pass-123')).status).toBe(401)
  })
})

describe('login throttling', () => {
  it('locks a user name after 5 wrong passwords, in Chinese, until the window ends', async () => {
    const username = await makeOperator()
    for (let i = 0; i < 5; i++) expect((await login(username, 'wrong-pass', `192.0.2.${i}`)).status).toBe(401)
    const locked = await login(username, 'right-pass-123', '192.0.2.99')
    expect(locked.status).toBe(429)
    expect(locked.body.error).toMatchObject({ code: 'login_locked' })
    expect(locked.body.error.message).toMatch(/^登录失败次数过多，请 1[45] 分钟后再试$/)
    // Retry-After tells a client (or a script) when to try again, in seconds: the rest of the window.
    const retryAfter = Number(locked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(13 * 60)
    expect(retryAfter).toBeLessThanOrEqual(15 * 60)
    // The window passes (its end is stored in PostgreSQL, shared by every process): the lock is gone.
    await database.db.execute(sql`update login_throttles set expire = now() - interval '1 second'`)
    expect((await login(username, 'right-pass-123', '192.0.2.99')).status).toBe(200)
  })

  it('locks an IP that tries many user names', async () => {
    for (let i = 0; i < 30; i++) await login(`nobody${i}`, 'guess', '192.0.2.200')
    const username = await makeOperator()
    expect((await login(username, 'right-pass-123', '192.0.2.200')).status).toBe(429)
    expect((await login(username, 'right-pass-123', '192.0.2.201')).status).toBe(200)
  })

  it('answers an unknown user name as slowly as a wrong password', async () => {
    const username = await makeOperator()
    const time = async (name: string, i: number) => {
      const started = performance.now()
      await login(name, 'wrong-pass', `192.0.2.${100 + i}`)
      return performance.now() - started
    }
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 4; i++) {
      known.push(await time(username, i))
      unknown.push(await time(`ghost-${i}`, i))
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4)
  })
})

describe('first login', () => {
  it('a new operator must replace the initial password before anything else', async () => {
    const created = await app.request('POST', '/api/admin/operators', {
      token: admin,
      body: { username: 'new.operator', displayName: '新同事', role: 'operator', password: 'initial-123' },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ mustChangePassword: true, role: 'operator' })
    const { token, operator } = (await login('new.operator', 'initial-123', '192.0.2.50')).body
    expect(operator.mustChangePassword).toBe(true)
    const refused = await app.request('GET', '/api/admin/members/funnel', { token })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('password_change_required')
    expect((await app.request('GET', '/api/admin/me', { token })).body.mustChangePassword).toBe(true)
    const weak = await app.request('POST', '/api/admin/me/password', {
      token,
      body: { currentPassword: 'initial-123', newPassword: 'admin12345' },
    })
    expect(weak.status).toBe(400)
    const changed = await app.request('POST', '/api/admin/me/password', {
      token,
      body: { currentPassword: 'initial-123', newPassword: 'my-own-pass-1' },
    })
    expect(changed.status).toBe(204)
    expect((await app.request('GET', '/api/admin/tags', { token })).status).toBe(200)
  })
})
