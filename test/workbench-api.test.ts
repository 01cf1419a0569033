// The chat workbench's operator API through the real app: conversations with the unanswered first, a
// member's thread with the reply pending in the outbox and then sent by the account's own paced sender
// (and on the timeline), quick replies filled for the member, a ticket opened from the thread, bad
// input refused on its field — and an advisor kept to the members of the accounts they serve.
import { saveSetting } from '../shared/settings/settings'
import { defaultKeywordReplies, keywordRepliesSetting } from '../shared/chat/keyword-replies'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { createOperator, loginOperator } from '../shared/auth/service'
import { recordChatMessage } from '../shared/chat/interactions'
import { queryRows, type Database } from '../shared/db/client'
import { systemClock } from '../shared/clock'
import { operatorAccounts } from '../shared/db/schema/auth'
import { botAccounts, outboundMessages } from '../shared/db/schema/chat'
import { AccountSender } from '../bot/sender/account-sender'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { operatorToken } from './support/factories'
import { silentLogger } from './support/config'
import { makeAccounts, makeFriends, recordingTransport, type Delivery } from './support/chat'

let database: Database
let app: TestApp
let admin: string
let advisor: string
let mine: number
let theirs: number
/** Account 1's members: waiting for an answer, answered, without any chat. */
let waiting: number
let answered: number
let silent: number
/** Account 2's member, who wrote too. */
let other: number

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000)

async function chat(memberId: number, accountId: number, direction: 'in' | 'out', text: string, at: Date) {
  await recordChatMessage(database.db, {
    memberId,
    accountId,
    direction,
    messageType: 'text',
    text,
    contactId: `c${memberId}`,
    sourceKey: `chat:${accountId}:${memberId}:${at.getTime()}:${direction}`,
    at,
  })
}

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  admin = await operatorToken(database.db)
  const [a, b] = await makeAccounts(database, 2, { state: 'online' })
  mine = a!.id
  theirs = b!.id
  const friends = await makeFriends(database, [mine, theirs], 3)
  ;[waiting, answered, silent] = friends.get(mine)! as [number, number, number]
  other = friends.get(theirs)![0]!
  await chat(answered, mine, 'in', '在吗？', minutesAgo(50))
  await chat(answered, mine, 'out', '在的，请讲', minutesAgo(49))
  await chat(waiting, mine, 'out', '新品上架啦', minutesAgo(300))
  await chat(waiting, mine, 'in', '面霜还有货吗', minutesAgo(30))
  await chat(other, theirs, 'in', '我的快递到哪了', minutesAgo(20))
  const op = await createOperator(database.db, {
    username: 'advisor-wb',
    displayName: '顾问小周',
    role: 'advisor',
    password: 'advisor-pass-123',
  })
  await database.db.insert(operatorAccounts).values({ operatorId: op.id, accountId: mine })
  advisor = (
    await loginOperator(
      database.db,
      systemClock,
      { username: 'advisor-wb', password: 'advisor-pass-123' },
      24,
    )
  ).token
})
afterAll(async () => {
  await app?.close()
  await database?.close()
})

const ids = (body: { items: { memberId: number }[] }) => body.items.map((c) => c.memberId)

describe('chat workbench API', () => {
  it('lists conversations with the unanswered first, and only the advisor’s own members to an advisor', async () => {
    const all = await app.request('GET', '/api/admin/conversations', { token: admin })
    expect(all.status).toBe(200)
    // Unanswered (newest first), then the answered one; a member who never chatted is no conversation.
    expect(ids(all.body)).toEqual([other, waiting, answered])
    expect(all.body).toMatchObject({ total: 3, unanswered: 2 })
    expect(all.body.items[1]).toMatchObject({
      unanswered: true,
      lastDirection: 'in',
      lastText: '面霜还有货吗',
      accountId: mine,
    })
    expect(ids(all.body)).not.toContain(silent)

    const onlyWaiting = await app.request(
      'GET',
      '/api/admin/conversations?unanswered=true&limit=1&offset=1',
      {
        token: admin,
      },
    )
    expect(ids(onlyWaiting.body)).toEqual([waiting])
    expect(onlyWaiting.body.total).toBe(2)
    const past = await app.request('GET', '/api/admin/conversations?offset=50', { token: admin })
    expect(past.body).toMatchObject({ items: [], total: 3, unanswered: 2 })

    const scoped = await app.request('GET', '/api/admin/conversations', { token: advisor })
    expect(ids(scoped.body)).toEqual([waiting, answered])
    expect(scoped.body.total).toBe(2)

    const bad = await app.request('GET', '/api/admin/conversations?days=0', { token: admin })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('query.days')
  })

  it('shows the member card and keeps an advisor out of other accounts’ members', async () => {
    const card = await app.request('GET', `/api/admin/conversations/${waiting}`, { token: advisor })
    expect(card.status).toBe(200)
    expect(card.body).toMatchObject({
      member: { id: waiting, stage: expect.any(String), optedOut: false },
      account: { id: mine, state: 'online' },
      // The member wrote half an hour ago: the answer is paced as a reply.
      reply: { allowed: true, reason: null, paced: 'reply' },
      points: 0,
      orders: [],
      openTicket: null,
    })
    for (const [method, path, body] of [
      ['GET', `/api/admin/conversations/${other}`],
      ['GET', `/api/admin/conversations/${other}/messages`],
      ['GET', `/api/admin/conversations/${other}/quick-replies`],
      [
        'POST',
        `/api/admin/conversations/${other}/messages`,
        { text: '您好', clientKey: 'advisor-out-of-scope' },
      ],
      ['POST', `/api/admin/conversations/${other}/tickets`, { category: 'complaint', text: '物流慢' }],
    ] as const) {
      const res = await app.request(method, path, { token: advisor, ...(body ? { body } : {}) })
      expect(res.status, path).toBe(403)
      expect(res.body.error.code).toBe('out_of_scope')
    }
    const queued = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from outbound_messages where member_id = ${other}`,
    )
    expect(Number(queued[0]!.n)).toBe(0)
  })

  it('queues a reply in the advisor account’s outbox once, shows it pending, and sent once the sender delivers it', async () => {
    const body = { text: '  有货的，今天下单明天发  ', clientKey: 'reply-0001-abcdef' }
    const sent = await app.request('POST', `/api/admin/conversations/${waiting}/messages`, {
      token: advisor,
      body,
    })
    expect(sent.status).toBe(201)
    expect(sent.body).toMatchObject({
      direction: 'out',
      text: '有货的，今天下单明天发',
      status: 'queued',
      origin: 'operator',
      operatorName: '顾问小周',
      accountId: mine,
    })
    const again = await app.request('POST', `/api/admin/conversations/${waiting}/messages`, {
      token: advisor,
      body,
    })
    expect(again.status).toBe(201)
    expect(again.body.key).toBe(sent.body.key)
    const rows = await database.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.memberId, waiting))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      accountId: mine,
      kind: 'direct',
      source: 'operator',
      action: 'reply',
      status: 'queued',
      priority: 20,
    })

    // On its way: no longer counted as waiting.
    const list = await app.request('GET', '/api/admin/conversations', { token: admin })
    expect(list.body.items.find((c: { memberId: number }) => c.memberId === waiting)).toMatchObject({
      unanswered: false,
      pending: 1,
    })
    const pending = await app.request('GET', `/api/admin/conversations/${waiting}/messages`, { token: admin })
    expect(pending.body.items[0]).toMatchObject({ key: sent.body.key, status: 'queued' })

    // The account's own sender delivers it.
    await database.db
      .update(botAccounts)
      .set({ leaseOwner: 'workbench-test', leaseExpiresAt: new Date(Date.now() + 3600_000) })
      .where(eq(botAccounts.id, mine))
    const log: Delivery[] = []
    const sender = new AccountSender(
      { db: database.db, clock: systemClock, logger: silentLogger(), owner: 'workbench-test' },
      mine,
      recordingTransport(mine, log, () => new Date()),
    )
    expect((await sender.step()).action).toBe('sent')
    expect(log).toMatchObject([{ kind: 'contact', target: `c${waiting}`, text: '有货的，今天下单明天发' }])

    const thread = await app.request('GET', `/api/admin/conversations/${waiting}/messages`, { token: admin })
    expect(
      thread.body.items.map((i: { key: string }) => i.key).filter((k: string) => k === sent.body.key),
    ).toHaveLength(1)
    expect(thread.body.items[0]).toMatchObject({
      key: sent.body.key,
      status: 'sent',
      origin: 'operator',
      operatorName: '顾问小周',
    })
    const timeline = await app.request('GET', `/api/admin/members/${waiting}/timeline`, { token: admin })
    expect(timeline.body.items[0]).toMatchObject({
      type: 'chat_message',
      data: { direction: 'out', origin: 'operator' },
    })
    expect(timeline.body.items[0].summary).toContain('有货的，今天下单明天发')
  })

  it('refuses bad input on its field and a reply that cannot reach the member', async () => {
    const empty = await app.request('POST', `/api/admin/conversations/${waiting}/messages`, {
      token: admin,
      body: { text: '   ', clientKey: 'reply-0002-abcdef' },
    })
    expect(empty.status).toBe(400)
    expect(empty.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.text'])
    const key = await app.request('POST', `/api/admin/conversations/${waiting}/messages`, {
      token: admin,
      body: { text: '您好', clientKey: 'x' },
    })
    expect(key.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.clientKey'])
    const cursor = await app.request('GET', `/api/admin/conversations/${waiting}/messages?cursor=nonsense`, {
      token: admin,
    })
    expect(cursor.status).toBe(400)
    expect(cursor.body.error.fields[0].path).toBe('query.cursor')

    // Not a friend of the account any more: refused, nothing queued.
    await database.db.execute(
      sql`delete from member_identities where member_id = ${silent} and kind = 'chat_contact'`,
    )
    const card = await app.request('GET', `/api/admin/conversations/${silent}`, { token: admin })
    expect(card.body.reply).toMatchObject({ allowed: false, paced: 'direct' })
    expect(card.body.reply.reason).toContain('还不是')
    const refused = await app.request('POST', `/api/admin/conversations/${silent}/messages`, {
      token: admin,
      body: { text: '您好', clientKey: 'reply-0003-abcdef' },
    })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('reply_not_possible')
    const none = await database.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.memberId, silent))
    expect(none).toHaveLength(0)
    expect((await app.request('GET', '/api/admin/conversations/99999999', { token: admin })).status).toBe(404)
  })

  it('pages the thread backwards without losing or repeating a message', async () => {
    for (let i = 0; i < 5; i++)
      await chat(answered, mine, i % 2 ? 'out' : 'in', `第${i}条`, minutesAgo(40 - i))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { body: { items: { key: string; at: string }[]; nextCursor: string | null } } =
        await app.request(
          'GET',
          `/api/admin/conversations/${answered}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token: admin },
        )
      seen.push(...res.body.items.map((i) => i.key))
      cursor = res.body.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(7)
    expect(new Set(seen).size).toBe(7)
  })

  it('offers quick replies filled for the member and opens a ticket from the thread once', async () => {
    const quick = await app.request('GET', `/api/admin/conversations/${answered}/quick-replies`, {
      token: advisor,
    })
    expect(quick.status).toBe(200)
    expect(quick.body.items.map((q: { code: string }) => q.code)).toEqual(['points', 'card', 'orders'])
    const [memberNo] = await queryRows<{ member_no: string }>(
      database.db,
      sql`select member_no from members where id = ${answered}`,
    )
    expect(quick.body.items[1].text).toContain(memberNo!.member_no)
    expect(quick.body.items[0].text).toContain('0 分')

    // A keyword reply operators add in 话术与关键词 is offered too, as they wrote it.
    await saveSetting(
      database.db,
      keywordRepliesSetting,
      [
        ...defaultKeywordReplies,
        { code: 'store_hours', keywords: ['营业时间'], template: '门店每天 10:00–22:00 营业' },
      ],
      { operatorId: null, at: new Date() },
    )
    const more = await app.request('GET', `/api/admin/conversations/${answered}/quick-replies`, {
      token: advisor,
    })
    expect(more.body.items.map((q: { code: string }) => q.code)).toEqual([
      'points',
      'card',
      'orders',
      'store_hours',
    ])
    expect(more.body.items[3]).toMatchObject({ title: '营业时间', text: '门店每天 10:00–22:00 营业' })

    const bad = await app.request('POST', `/api/admin/conversations/${answered}/tickets`, {
      token: advisor,
      body: { category: 'rant', text: '' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.category',
      'body.text',
    ])
    const opened = await app.request('POST', `/api/admin/conversations/${answered}/tickets`, {
      token: advisor,
      body: { category: 'complaint', text: '收到的面霜瓶子破了' },
    })
    expect(opened.status).toBe(201)
    expect(opened.body).toMatchObject({ category: 'complaint', status: 'open' })
    const twice = await app.request('POST', `/api/admin/conversations/${answered}/tickets`, {
      token: advisor,
      body: { category: 'suggestion', text: '再开一张' },
    })
    expect(twice.status).toBe(409)
    expect(twice.body.error.code).toBe('ticket_already_open')
    const card = await app.request('GET', `/api/admin/conversations/${answered}`, { token: advisor })
    expect(card.body.openTicket).toMatchObject({
      id: opened.body.id,
      messages: 1,
      lastText: '收到的面霜瓶子破了',
    })
    // The advisor's ticket inbox has it, under their own account.
    const inbox = await app.request('GET', '/api/admin/tickets', { token: advisor })
    expect(inbox.body.items.map((t: { id: number }) => t.id)).toContain(opened.body.id)
  })
})
