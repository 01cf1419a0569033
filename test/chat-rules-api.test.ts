// What the accounts say on their own, as data operators edit: a saved keyword reply, welcome or
// feedback word changes what the bot (through the mock puppet) and the official account answer from the
// next message, without a restart; a bad rule is refused naming its field and changes nothing; every
// version is kept with who saved it; a sample message tells which rule it would hit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { mock } from 'wechaty-puppet-mock'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { handleOaPush } from '../shared/chat/official-account'
import { defaultKeywordReplies } from '../shared/chat/keyword-replies'
import { defaultFeedbackLexicon } from '../shared/chat/feedback-lexicon'
import { defaultWelcomeTexts } from '../shared/chat/welcome-texts'
import { botAccounts, chatTickets, outboundMessages } from '../shared/db/schema/chat'
import { settingChanges, settings } from '../shared/db/schema/settings'
import { Supervisor, type RunningAccount } from '../bot/supervisor'
import { testDatabase } from './support/db'
import { silentLogger, testConfig } from './support/config'
import { makeMember, operatorToken } from './support/factories'
import { startTestApp, type TestApp } from './support/app'

let database: Database
let supervisor: Supervisor
let app: TestApp
let admin: string
let a: RunningAccount
const clock = new VirtualClock('2026-03-02T10:00:00+08:00')

/** Waits while the virtual clock moves on: replies leave through the paced outbox after a human delay. */
const waitFor = async <T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    clock.advance(2_000)
    await new Promise((r) => setTimeout(r, 5))
  }
}

function inbox(contact: mock.ContactMock | mock.RoomMock): string[] {
  const heard: string[] = []
  contact.on('message', (m: { text(): string | undefined }) => {
    heard.push(m.text() ?? '')
  })
  return heard
}

const self = (r: RunningAccount) => r.mocker!.ContactMock.load(r.bot.currentUser.id)

const storedRow = async (key: string) => {
  const [row] = await database.db.select().from(settings).where(eq(settings.key, key))
  return row
}

const hoursRule = {
  code: 'store_hours',
  keywords: ['营业时间', '几点开门'],
  template: '{{name}}您好，门店每天 10:00–22:00 营业，{{advisor}}随时为您服务～',
}

beforeAll(async () => {
  database = await testDatabase()
  await database.db.insert(botAccounts).values({ name: 'rules-a', displayName: '小美 · 专属顾问' })
  supervisor = new Supervisor(
    { db: database.db, logger: silentLogger(), config: testConfig(), clock },
    { owner: 'chat-rules', tickMs: 0, invitesEveryMs: 0, senderPollMs: 20, leaseTtlMs: 365 * 24 * 3600_000 },
  )
  await supervisor.start()
  a = [...supervisor.running.values()][0]!
  await waitFor('online', async () => a.bot.isLoggedIn)
  app = await startTestApp(database, { clock })
  admin = await operatorToken(database.db, 'admin')
})
afterAll(async () => {
  await app.close()
  await supervisor.stop()
  await database.close()
})

describe('keyword replies, welcomes and the feedback lexicon as stored settings', () => {
  it('a saved keyword reply changes what the running bot answers at the next message, and the official account too', async () => {
    const member = await makeMember(database.db, { name: '王丽' })
    const contact = a.mocker!.createContact({ name: '丽丽', alias: `王丽 ${member.memberNo}` })
    const heard = inbox(contact)

    const before = await app.request('GET', '/api/admin/chat-rules', { token: admin })
    expect(before.status).toBe(200)
    expect(before.body.keywordReplies).toMatchObject({ version: 0, value: defaultKeywordReplies })
    expect(before.body.welcomeTexts.value).toEqual(defaultWelcomeTexts)
    expect(before.body.keywordCodes.map((c: { code: string }) => c.code)).toEqual([
      'points',
      'card',
      'orders',
      'human',
    ])

    contact.say('营业时间').to(self(a))
    contact.say('积分').to(self(a))
    await waitFor('points reply', async () => heard.some((t) => t.includes('可用积分')))
    expect(heard.filter((t) => t.includes('门店'))).toEqual([])

    const saved = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: admin,
      body: {
        value: [
          { ...defaultKeywordReplies[0]!, template: '{{name}}，您的积分余额：{{points}} 分' },
          ...defaultKeywordReplies.slice(1),
          hoursRule,
        ],
        expectedVersion: 0,
      },
    })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ version: 1, value: expect.arrayContaining([hoursRule]) })
    expect(await storedRow('keyword_replies')).toMatchObject({ version: 1 })

    // The same running bot, no restart: the next messages get the stored rules.
    contact.say('营业时间').to(self(a))
    await waitFor('new rule', async () =>
      heard.includes('王丽您好，门店每天 10:00–22:00 营业，小美随时为您服务～'),
    )
    contact.say('积分').to(self(a))
    await waitFor('changed template', async () => heard.includes('王丽，您的积分余额：0 分'))
    const [reply] = await database.db
      .select()
      .from(outboundMessages)
      .where(
        and(eq(outboundMessages.memberId, member.id), eq(outboundMessages.source, 'keyword:store_hours')),
      )
    expect(reply).toMatchObject({
      accountId: a.account.id,
      text: '王丽您好，门店每天 10:00–22:00 营业，小美随时为您服务～',
    })

    // The official account answers from the same stored rules.
    const outcome = await handleOaPush(
      database.db,
      {
        ToUserName: 'gh_test',
        FromUserName: `oRules_${process.pid}`,
        CreateTime: String(Math.floor(clock.now().getTime() / 1000)),
        MsgType: 'text',
        Content: '几点开门',
        MsgId: `${Date.now()}`,
      } as never,
      { at: clock.now() },
    )
    expect(outcome.reply).toMatch(/门店每天 10:00–22:00 营业/)
  })

  it('saved welcomes greet the next new friend and group member, and a saved feedback word opens a ticket', async () => {
    const welcome = await app.request('PUT', '/api/admin/chat-rules/welcome-texts', {
      token: admin,
      body: {
        value: {
          ...defaultWelcomeTexts,
          friendUnbound: '您好，我是{{advisor}}，欢迎来到小店～',
          groupWelcome: '热烈欢迎 {{names}}！这里是「{{topic}}」',
        },
      },
    })
    expect(welcome.status).toBe(200)
    const stranger = a.mocker!.createContact({ name: '路人甲' })
    const heard = inbox(stranger)
    a.puppet!.receiveFriendRequest(stranger, '你好')
    await waitFor('new welcome', async () => heard.includes('您好，我是小美，欢迎来到小店～'))
    const room = a.mocker!.createRoom({ topic: '新品体验群', memberIdList: [a.bot.currentUser.id] })
    const roomHeard = inbox(room)
    room.add(stranger).by(self(a))
    await waitFor('new group welcome', async () =>
      roomHeard.includes('热烈欢迎 路人甲！这里是「新品体验群」'),
    )

    const lexicon = await app.request('PUT', '/api/admin/chat-rules/feedback-lexicon', {
      token: admin,
      body: {
        value: [
          ...defaultFeedbackLexicon,
          { category: 'praise', label: '表扬', words: ['好评', '太好用'], patterns: [] },
        ],
      },
    })
    expect(lexicon.status).toBe(200)
    const member = await makeMember(database.db, { name: '孙婷' })
    const contact = a.mocker!.createContact({ name: '婷婷', alias: `孙婷 ${member.memberNo}` })
    contact.say('这个面霜太好用了').to(self(a))
    const ticket = await waitFor('praise ticket', async () => {
      const [t] = await database.db.select().from(chatTickets).where(eq(chatTickets.memberId, member.id))
      return t
    })
    expect(ticket).toMatchObject({ category: 'praise', status: 'open' })
  })

  it('refuses a bad rule naming its field, and stores nothing', async () => {
    const version = (await storedRow('keyword_replies'))!.version
    const duplicate = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: admin,
      body: {
        value: [
          { code: 'points', keywords: ['积分'], template: '{{points}}' },
          { code: 'bonus', keywords: ['奖励', '积分'], template: '{{unknown_thing}}' },
        ],
      },
    })
    expect(duplicate.status).toBe(400)
    const paths = duplicate.body.error.fields.map((f: { path: string }) => f.path)
    expect(paths).toEqual(expect.arrayContaining(['body.value.1.keywords.1', 'body.value.1.template']))
    expect(duplicate.body.error.fields).toContainEqual({
      path: 'body.value.1.template',
      message: expect.stringContaining('未知变量 {{unknown_thing}}'),
    })

    const tooLong = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: admin,
      body: {
        value: [{ code: 'Bad Code', keywords: ['这是一句很长很长很长的话不是关键词'], template: 'x' }],
      },
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.error.fields.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(['body.value.0.code', 'body.value.0.keywords.0']),
    )

    const regex = await app.request('PUT', '/api/admin/chat-rules/feedback-lexicon', {
      token: admin,
      body: { value: [{ category: 'complaint', label: '投诉', words: [], patterns: ['(未闭合'] }] },
    })
    expect(regex.status).toBe(400)
    expect(regex.body.error.fields).toContainEqual({
      path: 'body.value.0.patterns.0',
      message: expect.stringContaining('不是有效的正则表达式'),
    })

    const groupWelcome = await app.request('PUT', '/api/admin/chat-rules/welcome-texts', {
      token: admin,
      body: { value: { ...defaultWelcomeTexts, groupWelcome: '欢迎 {{name}}' } },
    })
    expect(groupWelcome.status).toBe(400)
    expect(groupWelcome.body.error.fields[0].path).toBe('body.value.groupWelcome')

    expect((await storedRow('keyword_replies'))!.version).toBe(version)
  })

  it('keeps every version with who saved it, and refuses a save over a newer version', async () => {
    const current = (await storedRow('keyword_replies'))!.version
    const stale = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: admin,
      body: { value: defaultKeywordReplies, expectedVersion: current - 1 },
    })
    expect(stale.status).toBe(409)
    const back = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: admin,
      body: { value: defaultKeywordReplies, expectedVersion: current },
    })
    expect(back.body.version).toBe(current + 1)

    const history = await app.request('GET', '/api/admin/chat-rules/keyword-replies/history', {
      token: admin,
    })
    expect(history.status).toBe(200)
    expect(history.body.items.map((h: { version: number }) => h.version)).toEqual([current + 1, current])
    expect(history.body.items[0]).toMatchObject({
      value: defaultKeywordReplies,
      changedByName: expect.any(String),
    })
    expect(history.body.items[1].value).toContainEqual(hoursRule)
    const rows = await database.db
      .select()
      .from(settingChanges)
      .where(eq(settingChanges.key, 'keyword_replies'))
    expect(rows).toHaveLength(current + 1)

    const staff = await operatorToken(database.db, 'staff')
    const refused = await app.request('PUT', '/api/admin/chat-rules/keyword-replies', {
      token: staff,
      body: { value: defaultKeywordReplies },
    })
    expect(refused.status).toBe(403)
  })

  it('tells which rule a sample message hits, against the stored rules or a draft', async () => {
    const test = (body: unknown) => app.request('POST', '/api/admin/chat-rules/test', { token: admin, body })
    const points = await test({ text: '我的积分呢' })
    expect(points.status).toBe(200)
    expect(points.body).toMatchObject({
      tested: 'stored',
      keyword: { code: 'points', index: 0, keyword: '我的积分', how: 'contains' },
      keywordSkipped: null,
      feedback: null,
    })
    expect(points.body.keyword.answer).toMatch(/王丽您好，您当前可用积分 1280 分/)

    const complaint = await test({ text: '收到的瓶子破损了，要退货，这事太让人生气了' })
    expect(complaint.body).toMatchObject({
      keyword: null,
      keywordSkipped: 'too_long',
      feedback: { category: 'complaint', label: '投诉', matched: '破损', index: 0 },
    })

    const draft = await test({ text: '几点开门', keywordReplies: [hoursRule] })
    expect(draft.body).toMatchObject({ tested: 'draft', keyword: { code: 'store_hours', how: 'exact' } })
    expect((await test({ text: '几点开门' })).body.keyword).toBeNull()

    const bad = await test({ text: '积分', keywordReplies: [{ ...hoursRule, keywords: [] }] })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('body.keywordReplies.0.keywords')
  })
})
