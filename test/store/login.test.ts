// Mini-program login and phone binding through the app and the local WeChat server, with WeChat's
// error codes; and the shared access token: one refresher for every process, renewed when stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { systemClock } from '../../shared/clock'
import { memberSessions } from '../../shared/db/schema/auth'
import { memberIdentities } from '../../shared/db/schema/members'
import { MiniProgramApi } from '../../shared/wechat/mini-program'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { startStoreApp, type StoreApp } from '../support/store'

let database: Database
let wechat: FakeWechat
let app: StoreApp

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

describe('POST /api/mp/login', () => {
  it('a new shopper becomes a member and gets our own token; session_key is stored encrypted and never returned', async () => {
    const code = wechat.loginCode({ openid: 'oLogin001', unionid: 'uLogin001' })
    const res = await app.request('POST', '/api/mp/login', { body: { code } })
    expect(res.status).toBe(200)
    expect(res.body.isNew).toBe(true)
    expect(res.text).not.toMatch(/session_key|sessionKey|oLogin001/)
    const me = await app.request('GET', '/api/mp/me', { token: res.body.token })
    expect(me.status).toBe(200)
    expect(me.body.id).toBe(res.body.member.id)
    const ids = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.memberId, res.body.member.id))
    expect(ids.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
      'mp_openid:oLogin001',
      'unionid:uLogin001',
    ])
    const [session] = await database.db
      .select()
      .from(memberSessions)
      .where(eq(memberSessions.memberId, res.body.member.id))
    const issuedKey = wechat.sessionKeyFor(code)!
    expect(res.text).not.toContain(issuedKey)
    expect(session!.sessionKey).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(session!.sessionKey).not.toContain(issuedKey)
    expect(session!.tokenHash).not.toBe(res.body.token)
  })

  it('the same WeChat user logging in again is the same member', async () => {
    const first = await app.request('POST', '/api/mp/login', {
      body: { code: wechat.loginCode({ openid: 'oLogin002' }) },
    })
    const again = await app.request('POST', '/api/mp/login', {
      body: { code: wechat.loginCode({ openid: 'oLogin002' }) },
    })
    expect(again.body).toMatchObject({ isNew: false, member: { id: first.body.member.id } })
  })

  it("answers WeChat's errors as clear 4xx: 40029 invalid code, 40163 code used, 45011 too frequent", async () => {
    const bad = await app.request('POST', '/api/mp/login', { body: { code: 'not-a-real-code' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_login_code')
    const code = wechat.loginCode()
    expect((await app.request('POST', '/api/mp/login', { body: { code } })).status).toBe(200)
    const reused = await app.request('POST', '/api/mp/login', { body: { code } })
    expect(reused.status).toBe(400)
    expect(reused.body.error.code).toBe('invalid_login_code')
    wechat.failNext(
      '/sns/jscode2session',
      45011,
      'api minute-quota reach limit  mustslower  retry next minute',
    )
    const limited = await app.request('POST', '/api/mp/login', { body: { code: wechat.loginCode() } })
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('login_rate_limited')
    expect(limited.body.error.message).toMatch(/频繁/)
    expect(limited.headers.get('retry-after')).toBe('60')
  })

  it('an empty code is a 400 naming the field', async () => {
    const res = await app.request('POST', '/api/mp/login', { body: { code: '' } })
    expect(res.status).toBe(400)
    expect(res.body.error.fields[0].path).toBe('body.code')
  })
})

describe('POST /api/mp/phone', () => {
  it('binds the phone to the member, and refuses (409) a phone that belongs to another member', async () => {
    const a = await app.request('POST', '/api/mp/login', {
      body: { code: wechat.loginCode({ openid: 'oPhoneA' }) },
    })
    const bound = await app.request('POST', '/api/mp/phone', {
      token: a.body.token,
      body: { code: wechat.phoneCode('13912340001') },
    })
    expect(bound.status).toBe(200)
    expect(bound.body.phone).toBe('139****0001')
    const [phone] = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.value, '13912340001'))
    expect(phone).toMatchObject({ memberId: a.body.member.id, kind: 'phone', verified: true })

    const b = await app.request('POST', '/api/mp/login', {
      body: { code: wechat.loginCode({ openid: 'oPhoneB' }) },
    })
    const taken = await app.request('POST', '/api/mp/phone', {
      token: b.body.token,
      body: { code: wechat.phoneCode('13912340001') },
    })
    expect(taken.status).toBe(409)
    expect(taken.body.error.code).toBe('phone_taken')
    const bIds = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.memberId, b.body.member.id))
    expect(bIds.map((i) => i.kind)).toEqual(['mp_openid'])
  })

  it('a stale access token (40001) is refreshed once and the call succeeds', async () => {
    const a = await app.request('POST', '/api/mp/login', {
      body: { code: wechat.loginCode({ openid: 'oPhoneC' }) },
    })
    await app.request('POST', '/api/mp/phone', {
      token: a.body.token,
      body: { code: wechat.phoneCode('13912340003') },
    })
    const before = wechat.calls('/cgi-bin/stable_token').length
    wechat.revokeAccessTokens()
    const res = await app.request('POST', '/api/mp/phone', {
      token: a.body.token,
      body: { code: wechat.phoneCode('13912340003') },
    })
    expect(res.status).toBe(200)
    expect(wechat.calls('/cgi-bin/stable_token').length).toBe(before + 1)
    const invalid = await app.request('POST', '/api/mp/phone', {
      token: a.body.token,
      body: { code: 'expired-code' },
    })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('invalid_phone_code')
  })
})

describe('shared access token', () => {
  it('two processes asking at once: one stable_token call, both get the same token; stale → one forced refresh', async () => {
    const fresh = await startFakeWechat()
    const db2 = await testDatabase()
    try {
      const options = { baseUrl: fresh.url, appid: fresh.appid, secret: fresh.secret }
      const processA = new MiniProgramApi(options, db2.db, systemClock)
      const processB = new MiniProgramApi(options, db2.db, systemClock)
      const tokens = await Promise.all([
        ...Array.from({ length: 10 }, () => processA.tokens.get()),
        ...Array.from({ length: 10 }, () => processB.tokens.get()),
      ])
      expect(new Set(tokens).size).toBe(1)
      expect(fresh.calls('/cgi-bin/stable_token')).toHaveLength(1)
      fresh.revokeAccessTokens()
      const [x, y] = await Promise.all([
        processA.tokens.invalidate(tokens[0]!),
        processB.tokens.invalidate(tokens[0]!),
      ])
      expect(x).toBe(y)
      expect(x).not.toBe(tokens[0])
      const calls = fresh.calls('/cgi-bin/stable_token')
      expect(calls).toHaveLength(2)
      expect(calls[1]!.body.force_refresh).toBe(true)
    } finally {
      await fresh.close()
      await db2.close()
    }
  })
})
