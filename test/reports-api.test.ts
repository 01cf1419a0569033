// The console's report API over HTTP: operator auth, input validation and the scripted brand's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../shared/clock'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import {
  scriptedNow,
  scriptedPeriod,
  seedScriptedBrand,
  type ScriptedMembers,
} from './support/scripted-brand'

let database: Database
let app: TestApp
let token: string
let m: ScriptedMembers
beforeAll(async () => {
  database = await testDatabase()
  m = await seedScriptedBrand(database.db)
  app = await startTestApp(database, { clock: new VirtualClock(scriptedNow) })
  token = await operatorToken(database.db, 'operator')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('report API', () => {
  it('needs an operator token; a member token is refused', async () => {
    expect((await app.request('GET', '/api/admin/reports/funnel')).status).toBe(401)
    const member = await makeMember(database.db)
    const res = await app.request('GET', '/api/admin/reports/funnel', {
      token: await memberToken(database.db, member.id),
    })
    expect(res.status).toBe(401)
    expect(res.body.error.message).toBe('请先登录')
  })

  it('answers the period figures for the dates asked, in Shanghai days', async () => {
    const res = await app.request(
      'GET',
      `/api/admin/reports/period?from=${scriptedPeriod.from}&to=${scriptedPeriod.to}`,
      {
        token,
      },
    )
    expect(res.status).toBe(200)
    expect(res.body.sales).toMatchObject({ salesFen: 78_000, traffic: 5, buyers: 4, repeatBuyers: 1 })
    expect(res.body.reach.reached).toBe(2)
  })

  it('refuses a date that is not one, and a period that ends before it starts, naming the field', async () => {
    const bad = await app.request('GET', '/api/admin/reports/period?from=2026-02-30x', { token })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('query.from')
    const reversed = await app.request('GET', '/api/admin/reports/period?from=2026-03-10&to=2026-03-01', {
      token,
    })
    expect(reversed.status).toBe(400)
    expect(reversed.body.error.fields).toEqual([{ path: 'query.from', message: '开始日期不能晚于结束日期' }])
  })

  it('defaults the growth report to 18 months and caps what may be asked', async () => {
    const res = await app.request('GET', '/api/admin/reports/growth', { token })
    expect(res.body.months).toHaveLength(18)
    expect(res.body.months.at(-1)).toEqual({ month: '2026-03', newMembers: 3, orders: 6, revenueFen: 83_000 })
    expect((await app.request('GET', '/api/admin/reports/growth?months=1000', { token })).status).toBe(400)
  })

  it('searches members and opens one; a merged or unknown member is a Chinese 404', async () => {
    const list = await app.request('GET', `/api/admin/reports/members?q=${encodeURIComponent('晓丽')}`, {
      token,
    })
    expect(list.body.total).toBe(1)
    const detail = await app.request('GET', `/api/admin/reports/members/${list.body.items[0].id}`, { token })
    expect(detail.status).toBe(200)
    expect(detail.body.profile.memberNo).toBe(m.A.memberNo)
    const merged = await app.request('GET', `/api/admin/reports/members/${m.G.id}`, { token })
    expect(merged.status).toBe(404)
    expect(merged.body.error).toEqual({ code: 'member_not_found', message: '会员不存在' })
    expect((await app.request('GET', '/api/admin/reports/members/abc', { token })).status).toBe(400)
  })

  it('describes every report in the OpenAPI document', async () => {
    const doc = await app.request('GET', '/api/openapi.json')
    for (const path of ['funnel', 'tiers', 'period', 'growth', 'members', 'members/{id}']) {
      expect(doc.body.paths[`/api/admin/reports/${path}`]?.get?.security).toEqual([{ operator: [] }])
    }
  })
})
