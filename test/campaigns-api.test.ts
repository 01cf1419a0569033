// The operator's campaign workflow over HTTP: write, preview, dry-run, approve, run, results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { outboundMessages } from '../shared/db/schema/chat'
import { memberTiers } from '../shared/db/schema/loyalty'
import { grantPoints } from '../shared/points/ledger'
import { recordMemberEvent } from '../shared/members/events'
import { seedReferenceData } from '../shared/demo/seed'
import { createSavedSegment } from '../shared/segments/saved'
import { campaignIntegrations } from '../shared/campaigns/integrations'
import { runDueCampaigns } from '../shared/campaigns/planner'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { memberToken, operatorToken } from './support/factories'
import { silentLogger } from './support/config'
import { makeAccount, makeReachableMember } from './support/campaigns'

let database: Database
let app: TestApp
let token: string
const clock = new VirtualClock('2026-09-20T02:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  await seedReferenceData(database.db)
  app = await startTestApp(database, { clock })
  token = await operatorToken(database.db, 'operator')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

const greeting = (overrides: Record<string, unknown> = {}) => ({
  name: '中秋问候',
  kind: 'holiday',
  kindArgs: { occasion: 'mid_autumn' },
  channel: 'direct',
  variants: ['{{name|亲}}，{{festival}}快乐！'],
  schedule: { type: 'yearly', time: '09:00' },
  ...overrides,
})

async function giveTier(memberId: number, ladder: string, level: string) {
  const [lv] = await database.db
    .execute(
      sql`select lv.id, lv.ladder_id from tier_levels lv join tier_ladders ld on ld.id = lv.ladder_id
      where ld.code = ${ladder} and lv.code = ${level}`,
    )
    .then((r) => (r as unknown as { rows: { id: number; ladder_id: number }[] }).rows)
  await database.db.insert(memberTiers).values({
    memberId,
    ladderId: Number(lv!.ladder_id),
    levelId: Number(lv!.id),
    startsAt: new Date('2026-01-01T00:00:00Z'),
    source: 'test',
  })
}

describe('templates', () => {
  it('refuses a template with an unknown variable, naming it and where it is', async () => {
    const res = await app.request('POST', '/api/admin/campaigns', {
      token,
      body: greeting({ variants: ['{{name}}，中秋快乐', '{{nmae}}，{{festivl}}快乐'] }),
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('unknown_template_variable')
    expect(res.body.error.message).toContain('{{nmae}}')
    expect(res.body.error.message).toContain('{{festivl}}')
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
      'body.variants.1',
      'body.variants.1',
    ])
  })

  it('the preview refuses it too, and refuses variables the campaign cannot fill', async () => {
    const unknown = await app.request('POST', '/api/admin/campaigns/preview', {
      token,
      body: greeting({ variants: ['{{name}}，{{coupon}}已到账'] }),
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toMatchObject({
      code: 'unknown_template_variable',
      message: expect.stringContaining('{{coupon}}'),
    })
    const broken = await app.request('POST', '/api/admin/campaigns/preview', {
      token,
      body: greeting({ variants: ['{{name，你好'] }),
    })
    expect(broken.status).toBe(400)
    expect(broken.body.error.code).toBe('invalid_template')
    const birthday = await app.request('POST', '/api/admin/campaigns', {
      token,
      body: greeting({
        kind: 'birthday',
        kindArgs: {},
        schedule: { type: 'daily', time: '09:00' },
        variants: ['{{festival}}快乐'],
      }),
    })
    expect(birthday.status).toBe(400)
    expect(birthday.body.error.message).toContain('{{festival}}')
  })

  it('renders every variable for a sample of the audience', async () => {
    const account = await makeAccount(database.db, { displayName: '小雅 · 专属顾问' })
    const m = await makeReachableMember(database.db, account.id, { name: '王丽', nickname: '丽丽' })
    await makeReachableMember(database.db, account.id, { name: '李静' })
    await giveTier(m.id, 'vip', 'V2')
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 1280,
      sourceKey: `test:${m.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const template =
      '{{name}}/{{nickname}}/{{member_no}}/{{tier}}/{{points}}/{{advisor}}/{{date}}/{{festival}}/{{coupon}}/{{gift_points}}'
    const res = await app.request('POST', '/api/admin/campaigns/preview', {
      token,
      body: greeting({
        variants: [template, '{{name}}，{{festival}}快乐'],
        offer: { points: 200, coupon: { title: '满199减30券' } },
        sampleSize: 50,
      }),
    })
    expect(res.status).toBe(200)
    expect(res.body.runDate).toBe('2026-09-25')
    expect(res.body.variables.map((v: { name: string }) => v.name).sort()).toEqual(
      [
        'advisor',
        'coupon',
        'date',
        'festival',
        'gift_points',
        'member_no',
        'name',
        'nickname',
        'points',
        'tier',
      ].sort(),
    )
    const sample = res.body.samples.find((s: { memberId: number }) => s.memberId === m.id)
    expect(sample.values).toEqual({
      name: '王丽',
      nickname: '丽丽',
      member_no: m.memberNo,
      tier: 'V2 会员',
      points: '1280',
      advisor: '小雅',
      date: '9月25日',
      festival: '中秋节',
      coupon: '满199减30券',
      gift_points: '200',
    })
    expect(sample.channel).toBe('direct')
    const rendered = res.body.samples.map((s: { text: string }) => s.text)
    // Variants are taken in turn so the operator sees each one.
    expect(new Set(res.body.samples.map((s: { variant: number }) => s.variant))).toEqual(new Set([0, 1]))
    if (sample.variant === 0)
      expect(sample.text).toBe(`王丽/丽丽/${m.memberNo}/V2 会员/1280/小雅/9月25日/中秋节/满199减30券/200`)
    else expect(sample.text).toBe('王丽，中秋节快乐')
    expect(rendered.every((t: string) => !t.includes('{{'))).toBe(true)
  })
})

describe('dry run and approval', () => {
  it('counts the audience per advisor account and estimates when each account finishes', async () => {
    // Past its warm-up (a new account's ramp would allow fewer than two a day at first).
    const busy = await makeAccount(database.db, {
      dailyCap: 2,
      quietStart: '22:00',
      quietEnd: '08:30',
      firstLoginAt: new Date('2025-01-01T00:00:00Z'),
    })
    const idle = await makeAccount(database.db, { dailyCap: 300 })
    for (let i = 0; i < 5; i++) await makeReachableMember(database.db, busy.id)
    await makeReachableMember(database.db, idle.id)
    await makeReachableMember(database.db, idle.id, { contact: false })
    const created = await app.request('POST', '/api/admin/campaigns', { token, body: greeting() })
    expect(created.status).toBe(201)
    const res = await app.request('POST', `/api/admin/campaigns/${created.body.id}/dry-run`, { token })
    expect(res.status).toBe(200)
    expect(res.body.startsAt).toBe('2026-09-25T01:00:00.000Z')
    const byAccount = new Map(res.body.accounts.map((a: { accountId: number }) => [a.accountId, a]))
    expect(byAccount.get(busy.id)).toMatchObject({ direct: 5, unreachable: 0, dailyCap: 2 })
    expect(byAccount.get(idle.id)).toMatchObject({ direct: 1, unreachable: 1 })
    // Two a day from 25 September 09:00: the fifth goes out on the 27th when quiet hours end, 08:30 Shanghai.
    expect((byAccount.get(busy.id) as { estimatedFinishAt: string }).estimatedFinishAt).toBe(
      '2026-09-27T00:30:00.000Z',
    )
    expect((byAccount.get(idle.id) as { estimatedFinishAt: string }).estimatedFinishAt).toBe(
      '2026-09-25T01:00:00.000Z',
    )
    expect(res.body.estimatedFinishAt).toBe('2026-09-27T00:30:00.000Z')
    // The estimate follows the bot's own pacing rule, so no interval is assumed.
    expect(res.body.assumptions.intervalSeconds).toBeNull()
  })

  it('approves only the version reviewed, sends an edited campaign back to draft, and keeps store staff out', async () => {
    const created = await app.request('POST', '/api/admin/campaigns', {
      token,
      body: greeting({ name: '审批测试' }),
    })
    const id = created.body.id
    const staff = await operatorToken(database.db, 'staff')
    expect(
      (
        await app.request('POST', `/api/admin/campaigns/${id}/approve`, {
          token: staff,
          body: { version: 1 },
        })
      ).status,
    ).toBe(403)
    const approved = await app.request('POST', `/api/admin/campaigns/${id}/approve`, {
      token,
      body: { version: 1 },
    })
    expect(approved.body).toMatchObject({ status: 'approved', approved: true, version: 1 })
    const edited = await app.request('PUT', `/api/admin/campaigns/${id}`, {
      token,
      body: greeting({ name: '审批测试', variants: ['{{name|亲}}，中秋快乐，月圆人圆'] }),
    })
    expect(edited.body).toMatchObject({ status: 'draft', approved: false, version: 2 })
    const stale = await app.request('POST', `/api/admin/campaigns/${id}/approve`, {
      token,
      body: { version: 1 },
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('campaign_changed')
    expect(
      (await app.request('POST', `/api/admin/campaigns/${id}/approve`, { token, body: { version: 2 } })).body
        .status,
    ).toBe('approved')
    expect((await app.request('POST', `/api/admin/campaigns/${id}/pause`, { token })).body.status).toBe(
      'paused',
    )
    expect((await app.request('POST', `/api/admin/campaigns/${id}/resume`, { token })).body.status).toBe(
      'approved',
    )
    expect((await app.request('POST', `/api/admin/campaigns/${id}/archive`, { token })).body.status).toBe(
      'archived',
    )
    expect((await app.request('POST', `/api/admin/campaigns/${id}/resume`, { token })).status).toBe(409)
  })

  it('plans benefit-change notices from the loyalty programme, and refuses an unknown segment', async () => {
    const res = await app.request('POST', '/api/admin/campaigns/dry-run', {
      token,
      body: greeting({
        kind: 'benefit_change',
        kindArgs: {},
        schedule: { type: 'once' },
        variants: ['{{name}}，{{change}}'],
      }),
    })
    // Wired to the loyalty programme's pending tier-change notices (none scheduled here).
    expect(res.status).toBe(200)
    const segment = await app.request('POST', '/api/admin/campaigns', {
      token,
      body: greeting({ segmentId: 999 }),
    })
    expect(segment.status).toBe(400)
    expect(segment.body.error).toMatchObject({
      code: 'segment_not_found',
      fields: [{ path: 'body.segmentId' }],
    })
  })

  it('greets every V2 member of a saved segment, through their own advisor', async () => {
    const account = await makeAccount(database.db)
    const v2 = await makeReachableMember(database.db, account.id, { name: '赵敏' })
    const v1 = await makeReachableMember(database.db, account.id)
    await giveTier(v2.id, 'vip', 'V2')
    await giveTier(v1.id, 'vip', 'V1')
    const segment = await createSavedSegment(
      database.db,
      { name: 'V2 会员', filter: { conditions: [{ field: 'tier', ladder: 'vip', levels: ['V2'] }] } },
      null,
      clock.now(),
    )
    const body = greeting({ segmentId: segment.id, variants: ['{{name}}，{{tier}}专属中秋问候'] })
    const preview = await app.request('POST', '/api/admin/campaigns/preview', {
      token,
      body: { ...body, sampleSize: 50 },
    })
    expect(preview.status).toBe(200)
    const ids = preview.body.samples.map((s: { memberId: number }) => s.memberId)
    expect(ids).toContain(v2.id)
    expect(ids).not.toContain(v1.id)
    expect(preview.body.samples.find((s: { memberId: number }) => s.memberId === v2.id)).toMatchObject({
      accountId: account.id,
      channel: 'direct',
      text: '赵敏，V2 会员专属中秋问候',
    })
    const dry = await app.request('POST', '/api/admin/campaigns/dry-run', { token, body })
    expect(dry.body.accounts.find((a: { accountId: number }) => a.accountId === account.id)).toMatchObject({
      direct: 1,
    })
  })
})

describe('results', () => {
  it('reports sent, failed, replies within 48 h, orders within 7 days, revenue and points, per account', async () => {
    await database.db.execute(sql`update campaigns set status = 'archived'`)
    const account = await makeAccount(database.db)
    const other = await makeAccount(database.db)
    const replier = await makeReachableMember(database.db, account.id)
    const buyer = await makeReachableMember(database.db, account.id)
    const failed = await makeReachableMember(database.db, other.id)
    const created = await app.request('POST', '/api/admin/campaigns', {
      token,
      body: greeting({
        kind: 'holiday',
        kindArgs: { occasion: 'national_day' },
        schedule: { type: 'once' },
        name: '国庆问候',
      }),
    })
    await app.request('POST', `/api/admin/campaigns/${created.body.id}/approve`, {
      token,
      body: { version: 1 },
    })
    clock.set('2026-10-01T01:00:00Z')
    await runDueCampaigns({
      db: database.db,
      clock,
      logger: silentLogger(),
      integrations: campaignIntegrations,
      owner: 'w',
    })
    const [run] = (await app.request('GET', `/api/admin/campaigns/${created.body.id}/runs`, { token })).body
    expect(run).toMatchObject({ status: 'planned', runDate: '2026-10-01' })

    // The bot delivers two and fails one.
    const sentAt = new Date('2026-10-01T02:00:00Z')
    await database.db
      .update(outboundMessages)
      .set({ status: 'sent', sentAt })
      .where(eq(outboundMessages.campaignRunId, run.id))
    await database.db
      .update(outboundMessages)
      .set({ status: 'dead', sentAt: null, lastError: 'too frequent' })
      .where(
        sql`${outboundMessages.campaignRunId} = ${run.id} and ${outboundMessages.memberId} = ${failed.id}`,
      )
    // One replies within a day, one orders three days later (and earns points for it).
    await recordMemberEvent(database.db, {
      memberId: replier.id,
      type: 'chat_message',
      occurredAt: new Date('2026-10-02T00:00:00Z'),
      payload: { direction: 'in', text: '谢谢，也祝你节日快乐' },
    })
    await recordMemberEvent(database.db, {
      memberId: buyer.id,
      type: 'chat_message',
      occurredAt: new Date('2026-10-05T00:00:00Z'),
      payload: { direction: 'in', text: '三天后才回' },
    })
    await database.db
      .execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
      values ('D-CAMPAIGN-1', ${buyer.id}, 'paid', 26900, 26900, '2026-10-04T03:00:00Z')`)
    await grantPoints(database.db, {
      memberId: buyer.id,
      amount: 269,
      sourceKey: 'order:D-CAMPAIGN-1:earn',
      reason: '订单消费积分',
      at: new Date('2026-10-04T03:00:00Z'),
      expiresAt: null,
    })
    // An order after the 7-day window is not the campaign's.
    await database.db
      .execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
      values ('D-CAMPAIGN-2', ${replier.id}, 'paid', 8900, 8900, '2026-10-09T03:00:00Z')`)

    const res = await app.request('GET', `/api/admin/campaigns/${created.body.id}/results`, { token })
    expect(res.status).toBe(200)
    const accounts = new Map(
      res.body.accounts.map((a: { accountId: number; totals: unknown }) => [a.accountId, a.totals]),
    )
    expect(accounts.get(account.id)).toMatchObject({
      send: 2,
      sent: 2,
      failed: 0,
      replied: 1,
      orderedMembers: 1,
      orders: 1,
      revenueFen: 26900,
      orderPoints: 269,
    })
    expect(accounts.get(other.id)).toMatchObject({ send: 1, sent: 0, failed: 1, replied: 0, orders: 0 })
    expect(res.body.runs[0].runId).toBe(run.id)
    expect(res.body.totals.sent).toBeGreaterThanOrEqual(2)
  })
})

describe('calendar, brand dates and consents', () => {
  it('shows the year’s festivals with the brand’s own dates', async () => {
    const created = await app.request('POST', '/api/admin/brand-dates', {
      token,
      body: { code: 'anniversary', name: '品牌周年庆', calendar: 'lunar', month: 8, day: 15 },
    })
    expect(created.status).toBe(201)
    const dup = await app.request('POST', '/api/admin/brand-dates', {
      token,
      body: { code: 'mid_autumn', name: '重复', calendar: 'solar', month: 1, day: 2 },
    })
    expect(dup.status).toBe(409)
    const bad = await app.request('POST', '/api/admin/brand-dates', {
      token,
      body: { code: 'feb30', name: '不存在', calendar: 'solar', month: 2, day: 30 },
    })
    expect(bad.status).toBe(400)
    const res = await app.request('GET', '/api/admin/campaign-calendar?year=2026', { token })
    const onDay = res.body
      .filter((o: { date: string }) => o.date === '2026-09-25')
      .map((o: { code: string }) => o.code)
    expect(onDay).toEqual(['anniversary', 'mid_autumn'])
  })

  it('records the subscribe templates a member accepted in the mini-program', async () => {
    const account = await makeAccount(database.db)
    const m = await makeReachableMember(database.db, account.id)
    const mt = await memberToken(database.db, m.id)
    const res = await app.request('POST', '/api/mp/subscribe-consents', {
      token: mt,
      body: { accepted: ['TPL-A', 'TPL-A', 'TPL-B'] },
    })
    expect(res.status).toBe(200)
    expect(
      res.body.sort((a: { templateId: string }, b: { templateId: string }) =>
        a.templateId.localeCompare(b.templateId),
      ),
    ).toEqual([
      { templateId: 'TPL-A', remaining: 2 },
      { templateId: 'TPL-B', remaining: 1 },
    ])
  })

  it('tells the composer which schedules and variables a kind allows', async () => {
    const res = await app.request('GET', '/api/admin/campaign-variables?kind=birthday&withPoints=true', {
      token,
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ kind: 'birthday', kindName: '生日祝福', schedules: ['daily', 'once'] })
    const names = res.body.variables.map((v: { name: string }) => v.name)
    expect(names).toContain('gift_points')
    expect(names).not.toContain('festival')
  })

  it('documents the campaign API in OpenAPI', async () => {
    const res = await app.request('GET', '/api/openapi.json')
    for (const path of [
      '/api/admin/campaigns',
      '/api/admin/campaigns/{id}/preview',
      '/api/admin/campaigns/{id}/results',
    ])
      expect(Object.keys(res.body.paths)).toContain(path)
  })
})
