// The loyalty programme through the real app: the member's card, points, tasks and redemption in the
// mini-program API; rules, imports, benefit uses and honours in the operator API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { seedReferenceData } from '../shared/demo/seed'
import { seedLoyaltyDemo } from '../shared/demo/loyalty'
import { grantPoints } from '../shared/points/ledger'
import { setMemberLevel } from '../shared/tiers/ladders'
import { tillCodeKey, verifyTillCode } from '../shared/card/member-card'
import { recordMemberEvent } from '../shared/members/events'

let database: Database
let app: TestApp
let admin: string
let staff: string
const clock = new VirtualClock('2026-06-01T04:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  await seedReferenceData(database.db)
  await seedLoyaltyDemo(database.db, clock.now())
  app = await startTestApp(database, { clock })
  admin = await operatorToken(database.db, 'admin')
  staff = await operatorToken(database.db, 'staff')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

async function v2Member(points = 0, phone?: string) {
  const m = await makeMember(database.db, phone ? { identities: [{ kind: 'phone', value: phone }] } : {})
  await setMemberLevel(
    database.db,
    { memberId: m.id, ladderCode: 'vip', levelCode: 'V2', reason: '测试' },
    clock.now(),
  )
  if (points)
    await grantPoints(database.db, {
      memberId: m.id,
      amount: points,
      sourceKey: `api:${m.id}`,
      reason: '消费积分',
      at: clock.now(),
      expiresAt: new Date('2026-07-15T16:00:00Z'),
    })
  return { member: m, token: await memberToken(database.db, m.id) }
}

describe('mini-program', () => {
  it('GET /api/mp/card shows levels, benefits with quotas, points expiring soon and a till code that verifies', async () => {
    const { member, token } = await v2Member(3000)
    const res = await app.request('GET', '/api/mp/card', { token })
    expect(res.status).toBe(200)
    expect(res.body.member.memberNo).toBe(member.memberNo)
    expect(res.body.levels).toEqual([
      expect.objectContaining({ ladder: 'vip', level: 'V2', levelName: 'V2 会员' }),
    ])
    expect(res.body.pointsMultiplierPct).toBe(150)
    expect(res.body.benefits).toContainEqual(
      expect.objectContaining({ code: 'free_return_shipping', quota: 4, used: 0, remaining: 4 }),
    )
    expect(res.body.benefits).toContainEqual(
      expect.objectContaining({ code: 'member_price_90', discountPct: 90 }),
    )
    expect(res.body.points).toEqual({
      balance: 3000,
      expiringPoints: 3000,
      expiringSoonestAt: '2026-07-15T16:00:00.000Z',
    })
    expect(res.body.tillCode.qrDataUrl).toMatch(/^data:image\/png;base64,/)
    const key = tillCodeKey(app.deps.config.signingKey)
    expect(verifyTillCode(res.body.tillCode.payload, key, clock.now())).toBe(member.memberNo)
    expect(() =>
      verifyTillCode(res.body.tillCode.payload, key, new Date(clock.now().getTime() + 301_000)),
    ).toThrow('会员码已过期')
    expect(() => verifyTillCode(res.body.tillCode.payload.replace(/.$/, 'A'), key, clock.now())).toThrow(
      '会员码无效',
    )
  })

  it('check-in, tasks and the points history', async () => {
    const { token } = await v2Member()
    const first = await app.request('POST', '/api/mp/check-in', { token })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ task: 'daily_check_in', points: 5, streak: 1, balance: 5 })
    const again = await app.request('POST', '/api/mp/check-in', { token })
    expect(again.status).toBe(409)
    expect(again.body.error).toEqual({ code: 'task_limit_reached', message: '今天已经签到过了' })
    const share = await app.request('POST', '/api/mp/tasks/share/complete', {
      token,
      body: { ref: 'share-1' },
    })
    expect(share.body.balance).toBe(15)
    const tasks = await app.request('GET', '/api/mp/tasks', { token })
    expect(tasks.body.find((t: { code: string }) => t.code === 'share')).toMatchObject({
      doneInPeriod: 1,
      available: true,
    })
    const history = await app.request('GET', '/api/mp/points?limit=1', { token })
    expect(history.body.balance).toBe(15)
    expect(history.body.entries).toEqual([
      expect.objectContaining({ kind: 'earn', amount: 10, reason: '分享好物给好友' }),
    ])
    const page2 = await app.request('GET', `/api/mp/points?limit=5&before=${history.body.nextBefore}`, {
      token,
    })
    expect(page2.body.entries.map((e: { amount: number }) => e.amount)).toEqual([5])
    expect(page2.body.nextBefore).toBeNull()
  })

  it('the catalogue and redeeming: points and stock at once, the same request id redeems once', async () => {
    const { token } = await v2Member(2500)
    const catalogue = await app.request('GET', '/api/mp/rewards', { token })
    const cream = catalogue.body.items.find((i: { code: string }) => i.code === 'gift-hand-cream')
    const candle = catalogue.body.items.find((i: { code: string }) => i.code === 'gift-candle')
    expect(cream).toMatchObject({ pointsCost: 1500, stock: 200, unavailable: null })
    expect(candle.unavailable).toBe('积分不足')
    const body = { requestId: 'mp-redeem-0001' }
    const first = await app.request('POST', `/api/mp/rewards/${cream.id}/redeem`, { token, body })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      reward: '护手霜旅行装',
      points: 1500,
      balance: 1000,
      duplicate: false,
    })
    const retry = await app.request('POST', `/api/mp/rewards/${cream.id}/redeem`, { token, body })
    expect(retry.body).toMatchObject({
      redemptionId: first.body.redemptionId,
      balance: 1000,
      duplicate: true,
    })
    const short = await app.request('POST', `/api/mp/rewards/${candle.id}/redeem`, {
      token,
      body: { requestId: 'mp-redeem-0002' },
    })
    expect(short.status).toBe(409)
    expect(short.body.error.code).toBe('insufficient_points')
    const mine = await app.request('GET', '/api/mp/redemptions', { token })
    expect(mine.body).toHaveLength(1)
    const after = await app.request('GET', '/api/mp/rewards', { token })
    expect(after.body.items.find((i: { code: string }) => i.code === 'gift-hand-cream').stock).toBe(199)
  })

  it('refuses a request without a member session', async () => {
    expect((await app.request('GET', '/api/mp/card')).status).toBe(401)
  })
})

describe('operator API', () => {
  it('dry-runs a proposed rule set and refuses a wrong one naming the argument', async () => {
    const ok = await app.request('POST', '/api/admin/tiers/vip/dry-run', {
      token: admin,
      body: { rules: [{ code: 'retain_by_spend', args: { minSpendFen: 100, window: 'period' } }] },
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({
      ladder: 'vip',
      ruleSetId: null,
      counts: expect.objectContaining({ up: 0 }),
    })
    const bad = await app.request('POST', '/api/admin/tiers/vip/dry-run', {
      token: admin,
      body: {
        rules: [
          {
            code: 'upgrade_by_spend',
            args: { from: 'V1', to: 'V7', minSpendFen: 1, window: 'rolling_year' },
          },
        ],
      },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({
      code: 'invalid_tier_rules',
      fields: [{ path: 'rules.0.args', message: '等级「V7」不存在' }],
    })
  })

  it('schedules a rule change with notices; staff may not change rules', async () => {
    const rules = [{ code: 'level_by_spend', args: { window: 'calendar_year' } }]
    const denied = await app.request('POST', '/api/admin/tiers/spend/rules', {
      token: staff,
      body: { rules, effectiveAt: '2026-09-01T00:00:00+08:00' },
    })
    expect(denied.status).toBe(403)
    const res = await app.request('POST', '/api/admin/tiers/spend/rules', {
      token: admin,
      body: { rules, effectiveAt: '2026-09-01T00:00:00+08:00', note: '改为按自然年计算' },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ scheduled: true, effectiveAt: '2026-08-31T16:00:00.000Z' })
    const ladders = await app.request('GET', '/api/admin/tiers', { token: admin })
    expect(ladders.body.find((l: { code: string }) => l.code === 'spend').scheduled).toEqual([
      expect.objectContaining({ id: res.body.ruleSetId, note: '改为按自然年计算' }),
    ])
    const cancel = await app.request('DELETE', `/api/admin/tiers/rule-sets/${res.body.ruleSetId}`, {
      token: admin,
    })
    expect(cancel.status).toBe(200)
  })

  it('imports points from a CSV: a bad row is a 422 naming it, and nothing is imported', async () => {
    const { member } = await v2Member(0, '13511112222')
    const csv = '手机号,积分\n13511112222,100\n13511113333,50\n'
    const res = await app.request('POST', '/api/admin/points/imports', {
      token: admin,
      body: { fileName: 'old-crm.csv', contentBase64: Buffer.from(csv).toString('base64') },
    })
    expect(res.status).toBe(422)
    expect(res.body.error).toEqual({
      code: 'import_rejected',
      message: '有 1 行数据有误，未导入任何积分',
      fields: [{ path: 'row 3', message: '第 3 行（135****3333）：手机号未注册会员' }],
    })
    const account = await app.request('GET', `/api/admin/points/members/${member.id}`, { token: admin })
    expect(account.body.balance).toBe(0)
    const good = await app.request('POST', '/api/admin/points/imports', {
      token: admin,
      body: {
        fileName: 'old-crm.csv',
        contentBase64: Buffer.from('手机号,积分\n13511112222,100\n').toString('base64'),
      },
    })
    expect(good.status).toBe(201)
    expect(good.body).toMatchObject({ ok: true, totalPoints: 100 })
  })

  it('records a benefit use at the till from the member code, and refuses the one over quota', async () => {
    const { token } = await v2Member()
    const card = await app.request('GET', '/api/mp/card', { token })
    const use = (i: number) =>
      app.request('POST', '/api/admin/benefits/uses', {
        token: staff,
        body: {
          tillCode: card.body.tillCode.payload,
          benefitCode: 'styling_session',
          requestId: `till-use-${i}`,
        },
      })
    for (let i = 1; i <= 3; i++) expect((await use(i)).body).toMatchObject({ used: i, quota: 3 })
    const over = await use(4)
    expect(over.status).toBe(409)
    expect(over.body.error.message).toBe('「专属美妆顾问服务」本会员周期次数已用完（3/3）')
  })

  it('reports benefit use in a range and lists the uses; a range that ends before it starts is refused on its field', async () => {
    const from = encodeURIComponent('2026-05-01T00:00:00+08:00')
    const to = encodeURIComponent('2026-07-01T00:00:00+08:00')
    const report = await app.request('GET', `/api/admin/benefits/report?from=${from}&to=${to}`, {
      token: admin,
    })
    expect(report.status).toBe(200)
    const styling = report.body.find((b: { code: string }) => b.code === 'styling_session')
    // The three uses recorded at the till above, by one member.
    expect(styling).toMatchObject({
      period: 'tier_period',
      defaultQuota: 3,
      uses: 3,
      members: 1,
      friendUses: 0,
    })
    expect(styling.levels.length).toBeGreaterThan(0)
    const uses = await app.request('GET', `/api/admin/benefits/${styling.id}/uses?limit=2`, { token: admin })
    expect(uses.body.total).toBe(3)
    expect(uses.body.items).toHaveLength(2)

    const backwards = await app.request('GET', `/api/admin/benefits/report?from=${to}&to=${from}`, {
      token: admin,
    })
    expect(backwards.status).toBe(400)
    expect(backwards.body.error.fields).toEqual([{ path: 'query.to', message: '结束时间须晚于开始时间' }])
  })

  it('lists the points lapsing within 30 days, per member, and refuses a window of 0 days', async () => {
    const { member } = await v2Member(1200)
    const res = await app.request('GET', '/api/admin/points/expiring?days=60&limit=200', { token: admin })
    expect(res.status).toBe(200)
    const mine = res.body.items.find((i: { memberId: number }) => i.memberId === member.id)
    expect(mine).toMatchObject({ points: 1200, soonestAt: '2026-07-15T16:00:00.000Z' })
    expect(res.body.points).toBeGreaterThanOrEqual(1200)
    const none = await app.request('GET', '/api/admin/points/expiring?days=30&limit=200', { token: admin })
    expect(none.body.items.some((i: { memberId: number }) => i.memberId === member.id)).toBe(false)
    const bad = await app.request('GET', '/api/admin/points/expiring?days=0', { token: admin })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('query.days')
  })

  it('the most-active leaderboard and an award with bonus points, once per period', async () => {
    const { member: busy } = await v2Member()
    const { member: quiet } = await v2Member()
    const at = clock.now()
    for (let i = 0; i < 3; i++)
      await recordMemberEvent(database.db, {
        memberId: busy.id,
        type: 'referral',
        occurredAt: at,
        sourceKey: `ref:${busy.id}:${i}`,
      })
    await recordMemberEvent(database.db, { memberId: quiet.id, type: 'chat_message', occurredAt: at })
    const board = await app.request(
      'GET',
      `/api/admin/honours/leaderboard?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z&limit=50`,
      { token: admin },
    )
    expect(board.status).toBe(200)
    const rankOf = (id: number) => board.body.find((r: { memberId: number }) => r.memberId === id)
    expect(rankOf(busy.id)).toMatchObject({ score: 30, counts: { referral: 3 } })
    expect(rankOf(busy.id).rank).toBeLessThan(rankOf(quiet.id).rank)
    const award = {
      code: 'most_active',
      title: '月度最活跃会员',
      periodKey: '2026-06',
      from: '2026-05-01T00:00:00Z',
      to: '2026-07-01T00:00:00Z',
      top: 1,
      bonusPoints: 500,
    }
    const res = await app.request('POST', '/api/admin/honours/awards', { token: admin, body: award })
    expect(res.status).toBe(201)
    expect(res.body).toEqual([
      expect.objectContaining({ memberId: busy.id, rank: 1, title: '月度最活跃会员' }),
    ])
    expect(
      (await app.request('POST', '/api/admin/honours/awards', { token: admin, body: award })).status,
    ).toBe(409)
    const card = await app.request('GET', '/api/mp/card', { token: await memberToken(database.db, busy.id) })
    expect(card.body.honours).toEqual([
      { code: 'most_active', title: '月度最活跃会员', periodKey: '2026-06', rank: 1 },
    ])
    expect(card.body.points.balance).toBe(500)
  })

  it('documents the loyalty routes in the OpenAPI document', async () => {
    const doc = (await app.request('GET', '/api/openapi.json')).body
    for (const path of [
      '/api/mp/card',
      '/api/mp/check-in',
      '/api/mp/rewards/{id}/redeem',
      '/api/admin/tiers/{ladder}/dry-run',
      '/api/admin/points/imports',
    ])
      expect(Object.keys(doc.paths)).toContain(path)
    expect(
      doc.paths['/api/mp/rewards/{id}/redeem'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['requestId'])
  })
})
