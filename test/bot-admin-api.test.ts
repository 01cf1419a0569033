// The account pool's operator API and the mini-program's "talk to my advisor", through the real app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, inArray } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { botAccounts, chatGroups, outboundMessages } from '../shared/db/schema/chat'
import { recordFeedbackTicket } from '../shared/chat/tickets'
import { enqueueOutbound } from '../shared/chat/outbox'
import { members, memberIdentities } from '../shared/db/schema/members'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { testConfig } from './support/config'

let database: Database
let app: TestApp
let admin: string
beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database, { config: testConfig({ SECRET_KEY: 'c'.repeat(64) }) })
  admin = await operatorToken(database.db)
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('operator API: the account pool', () => {
  it('creates accounts, stores a token encrypted, shows state and the login QR', async () => {
    const created = await app.request('POST', '/api/admin/accounts', {
      token: admin,
      body: { name: 'advisor-api', displayName: '小安 · 专属顾问', dailyCap: 200, quietStart: '21:30' },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'advisor-api',
      dailyCap: 200,
      quietStart: '21:30',
      state: 'needs_scan',
      hasOwnToken: false,
    })
    const id = created.body.id

    const bad = await app.request('POST', '/api/admin/accounts', {
      token: admin,
      body: { name: 'Bad Name', displayName: 'x' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('body.name')
    const dup = await app.request('POST', '/api/admin/accounts', {
      token: admin,
      body: { name: 'advisor-api', displayName: 'x' },
    })
    expect(dup.status).toBe(409)

    expect(
      (
        await app.request('PUT', `/api/admin/accounts/${id}/token`, {
          token: admin,
          body: { token: 'puppet_service_secret' },
        })
      ).status,
    ).toBe(200)
    const [row] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, id))
    expect(row!.puppetTokenEncrypted).toMatch(/^v1\./)
    expect(row!.puppetTokenEncrypted).not.toContain('puppet_service_secret')

    await database.db
      .update(botAccounts)
      .set({ loginQr: 'https://login.weixin.qq.com/l/abc' })
      .where(eq(botAccounts.id, id))
    const qr = await app.request('GET', `/api/admin/accounts/${id}/qr`, { token: admin })
    expect(qr.body).toMatchObject({ state: 'needs_scan', qr: 'https://login.weixin.qq.com/l/abc' })
    expect(qr.body.image).toMatch(/^data:image\/png;base64,/)

    // Two members are this account's, one is nobody's: the overview counts the account's own.
    const mine = [await makeMember(database.db), await makeMember(database.db)]
    await makeMember(database.db)
    await database.db
      .update(members)
      .set({ advisorAccountId: id })
      .where(
        inArray(
          members.id,
          mine.map((m) => m.id),
        ),
      )
    const list = await app.request('GET', '/api/admin/accounts', { token: admin })
    expect(list.body.items.find((a: { id: number }) => a.id === id)).toMatchObject({
      hasOwnToken: true,
      members: 2,
      sentToday: 0,
      leaseActive: false,
    })
    expect(JSON.stringify(list.body)).not.toContain('puppet_service_secret')

    const rules = [
      { code: 'gap', args: { kind: 'direct', ms: [10_000, 30_000] } },
      { code: 'daily_cap', args: { kind: 'friend_accept', max: 40, ramp: [0.5] } },
    ]
    const patched = await app.request('PATCH', `/api/admin/accounts/${id}`, {
      token: admin,
      body: { pacing: { rules }, friendCapacity: 4000 },
    })
    expect(patched.body).toMatchObject({ friendCapacity: 4000, pacing: { rules } })
    const wrongGap = await app.request('PATCH', `/api/admin/accounts/${id}`, {
      token: admin,
      body: { pacing: { rules: [{ code: 'gap', args: { kind: 'direct', ms: [30_000, 10_000] } }] } },
    })
    expect(wrongGap.status).toBe(400)
    expect(wrongGap.body.error.fields[0].path).toMatch(/^body\.pacing\.rules\.0\.args\.ms/)
    const unknownKind = await app.request('PATCH', `/api/admin/accounts/${id}`, {
      token: admin,
      body: { pacing: { rules: [{ code: 'hourly_cap', args: { kind: 'poke', max: 3 } }] } },
    })
    expect(unknownKind.status).toBe(400)

    // Every action kind with its use against the caps the account's policy sets (its overrides too).
    const after = await app.request('GET', '/api/admin/accounts', { token: admin })
    const kinds = after.body.items.find((a: { id: number }) => a.id === id).kinds
    expect(kinds.map((k: { kind: string }) => k.kind)).toEqual([
      'direct',
      'reply',
      'group_post',
      'link',
      'friend_accept',
      'invite',
      'group_create',
    ])
    expect(kinds[0]).toMatchObject({ kind: 'direct', usedToday: 0, dailyMax: 200, gapMs: [10_000, 30_000] })
    // Day one of a new account: the warm-up ramp allows 20 % of 200.
    expect(kinds[0].allowedToday).toBe(40)
    expect(kinds[4]).toMatchObject({ kind: 'friend_accept', dailyMax: 40, ramp: [0.5], allowedToday: 20 })
  })

  it('needs an operator', async () => {
    expect((await app.request('GET', '/api/admin/accounts')).status).toBe(401)
  })

  it('moves a banned account’s members to the least-loaded accounts and flags the re-adds', async () => {
    const [banned, other1, other2] = await database.db
      .insert(botAccounts)
      .values([
        { name: 'ban-me', displayName: '被封' },
        { name: 'keep-1', displayName: '留用一' },
        { name: 'keep-2', displayName: '留用二', friendCapacity: 1 },
      ])
      .returning()
    const ms = []
    for (let i = 0; i < 3; i++) ms.push(await makeMember(database.db, { name: `转移${i}` }))
    await database.db.update(members).set({ advisorAccountId: banned!.id }).where(eq(members.name, '转移0'))
    await database.db.update(members).set({ advisorAccountId: banned!.id }).where(eq(members.name, '转移1'))
    await database.db.update(members).set({ advisorAccountId: banned!.id }).where(eq(members.name, '转移2'))
    await enqueueOutbound(database.db, {
      dedupeKey: `ban:${ms[0]!.id}`,
      accountId: banned!.id,
      kind: 'direct',
      memberId: ms[0]!.id,
      text: '你好',
      source: 'campaign',
    })

    const res = await app.request('POST', `/api/admin/accounts/${banned!.id}/ban`, { token: admin, body: {} })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ moved: 3, unplaced: 0, cancelledMessages: 1 })
    const advisors = await database.db
      .select({ a: members.advisorAccountId })
      .from(members)
      .where(
        inArray(
          members.id,
          ms.map((m) => m.id),
        ),
      )
    expect(advisors.every((r) => r.a !== null && r.a !== banned!.id)).toBe(true)
    // Least load first, never past capacity: the one-friend account takes at most one.
    expect(advisors.filter((r) => r.a === other2!.id).length).toBeLessThanOrEqual(1)
    expect(advisors.some((r) => r.a === other1!.id)).toBe(true)
    const [state] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, banned!.id))
    expect(state!.state).toBe('banned')

    const pending = await app.request('GET', '/api/admin/accounts/reassignments', { token: admin })
    expect(pending.body.items).toHaveLength(3)
    expect(pending.body.items[0]).toMatchObject({
      memberName: '转移0',
      memberNo: ms[0]!.memberNo,
      fromAccountName: '被封',
    })
    const [target] = await database.db
      .select()
      .from(botAccounts)
      .where(eq(botAccounts.id, pending.body.items[0].toAccountId))
    expect(pending.body.items[0].toAccountName).toBe(target!.displayName)
    const fromOther = await app.request(
      'GET',
      `/api/admin/accounts/reassignments?fromAccountId=${other1!.id}`,
      {
        token: admin,
      },
    )
    expect(fromOther.body.items).toEqual([])
    const done = await app.request(
      'POST',
      `/api/admin/accounts/reassignments/${pending.body.items[0].id}/done`,
      { token: admin },
    )
    expect(done.body.readdPending).toBe(false)
    expect(
      (await app.request('GET', '/api/admin/accounts/reassignments', { token: admin })).body.items,
    ).toHaveLength(2)
  })
})

describe('mini-program: talk to my advisor', () => {
  it('gives a six-digit code and the advisor’s name, assigning the least-loaded advisor', async () => {
    const member = await makeMember(database.db, { name: '求顾问' })
    const token = await memberToken(database.db, member.id)
    const res = await app.request('POST', '/api/mp/advisor/bind-code', { token })
    expect(res.status).toBe(200)
    expect(res.body.code).toMatch(/^\d{6}$/)
    expect(res.body.instruction).toContain(res.body.code)
    const [m] = await database.db.select().from(members).where(eq(members.id, member.id))
    expect(m!.advisorAccountId).not.toBeNull()
    const [advisor] = await database.db
      .select()
      .from(botAccounts)
      .where(eq(botAccounts.id, m!.advisorAccountId!))
    expect(res.body.advisorName).toBe(advisor!.displayName)
    // A second request replaces the first code.
    const again = await app.request('POST', '/api/mp/advisor/bind-code', { token })
    expect(again.body.advisorName).toBe(res.body.advisorName)
    expect((await app.request('POST', '/api/mp/advisor/bind-code')).status).toBe(401)
  })
})

describe('operator API: groups, tickets and the outbox', () => {
  it('sets a group’s purpose, queues an announcement and invites once each', async () => {
    const [acct] = await database.db
      .insert(botAccounts)
      .values({ name: 'groups-api', displayName: '群主' })
      .returning()
    const [group] = await database.db
      .insert(chatGroups)
      .values({ accountId: acct!.id, roomId: 'r1@chatroom', topic: '母婴交流群' })
      .returning()
    const patched = await app.request('PATCH', `/api/admin/groups/${group!.id}`, {
      token: admin,
      body: { purpose: 'interest', interest: '母婴', capacity: 300 },
    })
    expect(patched.body).toMatchObject({ purpose: 'interest', interest: '母婴', capacity: 300, full: false })
    expect(
      (
        await app.request('PATCH', `/api/admin/groups/${group!.id}`, {
          token: admin,
          body: { capacity: 9999 },
        })
      ).status,
    ).toBe(400)

    const ann = await app.request('POST', `/api/admin/groups/${group!.id}/announcements`, {
      token: admin,
      body: { text: '「{{topic}}」本周六晚 8 点直播，新品试用装免费领' },
    })
    expect(ann.status).toBe(201)
    expect(ann.body.queued).toBe(true)
    const [row] = await database.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, ann.body.outboundId))
    expect(row).toMatchObject({
      kind: 'group',
      source: 'announcement',
      chatGroupId: group!.id,
      status: 'queued',
      text: '「母婴交流群」本周六晚 8 点直播，新品试用装免费领',
    })
    const unknown = await app.request('POST', `/api/admin/groups/${group!.id}/announcements`, {
      token: admin,
      body: { text: '{{name}}您好' },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toMatchObject({
      code: 'unknown_template_variable',
      fields: [{ path: 'body.text', message: '未知变量 {{name}}，可用的变量：topic' }],
    })

    const m = await makeMember(database.db)
    const inv = await app.request('POST', `/api/admin/groups/${group!.id}/invites`, {
      token: admin,
      body: { memberIds: [m.id, m.id] },
    })
    expect(inv.body.queued).toBe(1)
    const list = await app.request('GET', `/api/admin/groups?accountId=${acct!.id}`, { token: admin })
    expect(list.body.items).toHaveLength(1)
    expect(list.body.items[0]).toMatchObject({
      accountName: '群主',
      tierName: null,
      invitesWaiting: 1,
      announcementsWaiting: 1,
    })
    const tierOnly = await app.request('GET', `/api/admin/groups?accountId=${acct!.id}&purpose=tier`, {
      token: admin,
    })
    expect(tierOnly.body.items).toEqual([])
  })

  it('lists open tickets and resolves one once', async () => {
    const [acct] = await database.db
      .insert(botAccounts)
      .values({ name: 'tickets-api', displayName: '客服' })
      .returning()
    const m = await makeMember(database.db, { name: '提意见' })
    const { ticket } = await recordFeedbackTicket(database.db, {
      memberId: m.id,
      accountId: acct!.id,
      category: 'complaint',
      text: '快递太慢了，怎么还没到',
      matched: '怎么还没到',
      at: new Date(),
    })
    const second = await recordFeedbackTicket(database.db, {
      memberId: m.id,
      accountId: acct!.id,
      category: 'complaint',
      text: '还有包装破损',
      matched: '破损',
      at: new Date(),
    })
    expect(second.opened).toBe(false)
    const open = await app.request('GET', '/api/admin/tickets?status=open', { token: admin })
    const mine = open.body.items.find((t: { id: number }) => t.id === ticket.id)
    expect(mine).toMatchObject({
      memberNo: m.memberNo,
      memberName: '提意见',
      accountName: '客服',
      category: 'complaint',
    })
    expect(mine.messages).toHaveLength(2)
    const done = await app.request('POST', `/api/admin/tickets/${ticket.id}/resolve`, {
      token: admin,
      body: { resolution: '已补发并致歉' },
    })
    expect(done.body).toMatchObject({ status: 'resolved', resolution: '已补发并致歉' })
    const twice = await app.request('POST', `/api/admin/tickets/${ticket.id}/resolve`, {
      token: admin,
      body: { resolution: '再次' },
    })
    expect(twice.status).toBe(409)
    expect(
      (
        await app.request('POST', '/api/admin/tickets/999999/resolve', {
          token: admin,
          body: { resolution: 'x' },
        })
      ).status,
    ).toBe(404)
  })

  it('lists dead letters, retries one and refuses to cancel a sent message', async () => {
    const [acct] = await database.db
      .insert(botAccounts)
      .values({ name: 'outbox-api', displayName: '发送' })
      .returning()
    const m = await makeMember(database.db)
    await database.db
      .insert(memberIdentities)
      .values({ memberId: m.id, kind: 'chat_contact', value: `${acct!.id}:c-out` })
    const dead = await enqueueOutbound(database.db, {
      dedupeKey: 'dl:1',
      accountId: acct!.id,
      kind: 'direct',
      memberId: m.id,
      text: 'a',
      source: 'campaign',
    })
    const sent = await enqueueOutbound(database.db, {
      dedupeKey: 'dl:2',
      accountId: acct!.id,
      kind: 'direct',
      memberId: m.id,
      text: 'b',
      source: 'campaign',
    })
    await database.db
      .update(outboundMessages)
      .set({ status: 'dead', attempts: 5, lastError: 'network' })
      .where(eq(outboundMessages.id, dead.message.id))
    await database.db
      .update(outboundMessages)
      .set({ status: 'sent', sentAt: new Date() })
      .where(eq(outboundMessages.id, sent.message.id))

    const letters = await app.request('GET', `/api/admin/outbox?status=dead,failed&accountId=${acct!.id}`, {
      token: admin,
    })
    expect(letters.body.items.map((i: { id: number }) => i.id)).toEqual([dead.message.id])
    expect((await app.request('GET', '/api/admin/outbox?status=nonsense', { token: admin })).status).toBe(400)
    const retried = await app.request('POST', `/api/admin/outbox/${dead.message.id}/retry`, { token: admin })
    expect(retried.body).toMatchObject({ status: 'queued', attempts: 0 })
    expect(
      (await app.request('POST', `/api/admin/outbox/${sent.message.id}/cancel`, { token: admin })).status,
    ).toBe(409)
    // A dead letter given up on is cancelled with its reason kept; a queued one is not a dead letter.
    await database.db
      .update(outboundMessages)
      .set({ status: 'failed', lastError: 'too frequent' })
      .where(eq(outboundMessages.id, dead.message.id))
    const dropped = await app.request('POST', `/api/admin/outbox/${dead.message.id}/drop`, { token: admin })
    expect(dropped.body).toMatchObject({ status: 'cancelled', lastError: '运营人员放弃重发：too frequent' })
    const queuedOne = await enqueueOutbound(database.db, {
      dedupeKey: 'dl:3',
      accountId: acct!.id,
      kind: 'direct',
      memberId: m.id,
      text: 'c',
      source: 'campaign',
    })
    const notDead = await app.request('POST', `/api/admin/outbox/${queuedOne.message.id}/drop`, {
      token: admin,
    })
    expect(notDead.status).toBe(409)
    expect((await app.request('POST', '/api/admin/outbox/999999/drop', { token: admin })).status).toBe(404)
    const summary = await app.request('GET', '/api/admin/outbox/summary', { token: admin })
    expect(summary.body.items).toContainEqual(
      expect.objectContaining({ accountId: acct!.id, status: 'queued', count: 1 }),
    )
  })
})
