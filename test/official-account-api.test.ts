// The official account's push endpoint through the real app: the URL check, the official 消息加解密
// sample pushed as WeChat would, follows that complete the points task exactly once whatever WeChat
// retries, unionid matching, keyword replies, bind codes, and every way a push can be refused — none
// of which writes anything.
import { and, count, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../shared/clock'
import type { Database } from '../shared/db/client'
import { issueBindCode } from '../shared/chat/binding'
import { saveTask } from '../shared/points/tasks'
import { pointsBalance } from '../shared/points/ledger'
import { taskCompletions } from '../shared/db/schema/loyalty'
import { memberEvents, memberIdentities, members } from '../shared/db/schema/members'
import { memberTimeline } from '../shared/members/timeline'
import {
  aesKeyOf,
  buildOaXml,
  decryptOaMessage,
  encryptOaMessage,
  oaSignature,
  parseOaXml,
} from '../shared/wechat/oa-push'
import { officialSample } from './support/oa-vectors'
import { makeAccounts } from './support/chat'
import { testConfig } from './support/config'
import { createLogger } from '../shared/logger'
import { testDatabase } from './support/db'
import { makeMember } from './support/factories'
import { startTestApp, type TestApp } from './support/app'

const { token, appid, encodingAesKey } = officialSample
const key = aesKeyOf(encodingAesKey)
let database: Database
let app: TestApp
let bare: TestApp
const clock = new VirtualClock('2026-12-01T04:00:00Z')
const dbUrl = (): Record<string, string> =>
  process.env.TEST_DATABASE_URL ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}

beforeAll(async () => {
  database = await testDatabase()
  await saveTask(database.db, {
    code: 'follow_official_account',
    name: '关注公众号',
    points: 50,
    limitPer: 'once',
  })
  app = await startTestApp(database, {
    clock,
    config: testConfig({
      ...dbUrl(),
      WECHAT_OA_APPID: appid,
      WECHAT_OA_TOKEN: token,
      WECHAT_OA_AES_KEY: encodingAesKey,
    }),
  })
  bare = await startTestApp(database, { clock, config: testConfig(dbUrl()) })
})
afterAll(async () => {
  await app.close()
  await bare.close()
  await database.close()
})

let seq = 0
const now = () => Math.floor(clock.now().getTime() / 1000)
const openid = () => `oTest_${process.pid}_${++seq}`

interface PushOptions {
  mode?: 'plain' | 'aes'
  timestamp?: number
  nonce?: string
  encryptFor?: string
  signWith?: string
}

/** POST a push as WeChat sends it: the query's signatures, the body plain or sealed. */
async function push(fields: Record<string, string | number>, options: PushOptions = {}) {
  const timestamp = String(options.timestamp ?? now())
  const nonce = options.nonce ?? String(100000 + seq)
  const signToken = options.signWith ?? token
  const signature = oaSignature(signToken, timestamp, nonce)
  const xml = buildOaXml({ ToUserName: 'gh_10f6c3c3ac5a', CreateTime: now(), ...fields })
  if (options.mode === 'plain') {
    const query = new URLSearchParams({ signature, timestamp, nonce, openid: String(fields.FromUserName) })
    return app.request('POST', `/wechat/oa?${query}`, { raw: xml, headers: { 'content-type': 'text/xml' } })
  }
  const encrypt = encryptOaMessage(key, options.encryptFor ?? appid, xml)
  const query = new URLSearchParams({
    signature,
    timestamp,
    nonce,
    openid: String(fields.FromUserName),
    encrypt_type: 'aes',
    msg_signature: oaSignature(signToken, timestamp, nonce, encrypt),
  })
  const body = buildOaXml({ ToUserName: 'gh_10f6c3c3ac5a', Encrypt: encrypt })
  return app.request('POST', `/wechat/oa?${query}`, { raw: body, headers: { 'content-type': 'text/xml' } })
}

/** The text of a passive reply, opened (and its envelope checked) as WeChat would. */
function replyText(res: { text: string; headers: Headers }, encrypted = true): string {
  expect(res.headers.get('content-type')).toMatch(/xml/)
  let fields = parseOaXml(res.text)
  if (encrypted) {
    expect(fields.MsgSignature).toBe(oaSignature(token, fields.TimeStamp!, fields.Nonce!, fields.Encrypt!))
    fields = parseOaXml(decryptOaMessage(key, appid, fields.Encrypt!))
  }
  expect(fields.MsgType).toBe('text')
  return fields.Content!
}

const memberByOpenid = async (value: string) => {
  const [row] = await database.db
    .select({ memberId: memberIdentities.memberId })
    .from(memberIdentities)
    .where(and(eq(memberIdentities.kind, 'oa_openid'), eq(memberIdentities.value, value)))
  return row?.memberId ?? null
}
const eventsOf = (memberId: number) =>
  database.db.select().from(memberEvents).where(eq(memberEvents.memberId, memberId))
const rowCounts = async () => {
  const [m] = await database.db.select({ n: count() }).from(members)
  const [e] = await database.db.select({ n: count() }).from(memberEvents)
  const [i] = await database.db.select({ n: count() }).from(memberIdentities)
  return { members: m!.n, events: e!.n, identities: i!.n }
}
const follow = (from: string, extra: Record<string, string> = {}) => ({
  FromUserName: from,
  MsgType: 'event',
  Event: 'subscribe',
  ...extra,
})

describe('the URL check of 服务器配置', () => {
  it('answers echostr as it is under the right signature, and 401 under a wrong one', async () => {
    const timestamp = String(now())
    const q = (signature: string) =>
      `/wechat/oa?${new URLSearchParams({ signature, timestamp, nonce: '77', echostr: '6145' })}`
    const ok = await app.request('GET', q(oaSignature(token, timestamp, '77')))
    expect(ok.status).toBe(200)
    expect(ok.text).toBe('6145')
    const bad = await app.request('GET', q(oaSignature('other', timestamp, '77')))
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('oa_bad_signature')
  })

  it('names the missing query field with a 400', async () => {
    const res = await app.request('GET', '/wechat/oa?nonce=1&signature=x&echostr=1')
    expect(res.status).toBe(400)
    expect(res.body.error.fields).toEqual([expect.objectContaining({ path: 'query.timestamp' })])
  })

  it('answers 404 with a Chinese reason when the official account is not configured, logged as a warning', async () => {
    const lines: string[] = []
    const logged = await startTestApp(database, {
      clock,
      config: bare.deps.config,
      logger: createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } }),
    })
    const get = await logged.request('GET', '/wechat/oa?timestamp=1&nonce=1&signature=x&echostr=1')
    await logged.close()
    expect(get.status).toBe(404)
    expect(get.body.error).toMatchObject({
      code: 'oa_not_configured',
      message: expect.stringMatching(/未配置公众号/),
    })
    const refusal = lines.map((l) => JSON.parse(l)).find((l) => l.code === 'oa_not_configured')
    expect(refusal).toMatchObject({ status: 404 })
    expect(JSON.stringify(refusal)).not.toMatch(/stack/)
    const post = await bare.request('POST', '/wechat/oa?timestamp=1&nonce=1', {
      raw: '<xml/>',
      headers: { 'content-type': 'text/xml' },
    })
    expect(post.status).toBe(404)
  })
})

describe('the official 消息加解密 sample, pushed to the endpoint', () => {
  it('verifies its msg_signature, decrypts it with the appid check and records the message on a new member', async () => {
    const sampleClock = new VirtualClock(new Date(Number(officialSample.timestamp) * 1000))
    const sampleApp = await startTestApp(database, {
      clock: sampleClock,
      config: app.deps.config,
    })
    try {
      const query = new URLSearchParams({
        signature: oaSignature(token, officialSample.timestamp, officialSample.nonce),
        timestamp: officialSample.timestamp,
        nonce: officialSample.nonce,
        encrypt_type: 'aes',
        msg_signature: officialSample.msgSignature,
      })
      const body = buildOaXml({ ToUserName: 'gh_10f6c3c3ac5a', Encrypt: officialSample.encrypt })
      const res = await sampleApp.request('POST', `/wechat/oa?${query}`, {
        raw: body,
        headers: { 'content-type': 'text/xml' },
      })
      expect(res.status).toBe(200)
      expect(res.text).toBe('success')
      const memberId = await memberByOpenid('oyORnuP8q7ou2gfYjqLzSIWZf0rs')
      expect(memberId).not.toBeNull()
      const [event] = await eventsOf(memberId!)
      expect(event).toMatchObject({
        type: 'oa_message',
        sourceKey: 'oa:msg:6054768590064713728',
        payload: expect.objectContaining({ kind: 'text', text: 'abcdteT' }),
      })
      // The same push a day later is a replay.
      sampleClock.advance(86_400_000)
      const replay = await sampleApp.request('POST', `/wechat/oa?${query}`, {
        raw: body,
        headers: { 'content-type': 'text/xml' },
      })
      expect(replay.status).toBe(401)
      expect(replay.body.error.code).toBe('oa_stale_timestamp')
    } finally {
      await sampleApp.close()
    }
  })
})

describe('follows and the points task', () => {
  it('a follow from a channel code makes the member, credits the task once and says so in an encrypted reply', async () => {
    const from = openid()
    const fields = follow(from, {
      EventKey: 'qrscene_channel:store-counter',
      Ticket: 'gQH47joAAAAAAAAAASxodHRw',
    })
    const first = await push(fields)
    expect(first.status).toBe(200)
    expect(replyText(first)).toMatch(/50 积分已到账/)
    const memberId = (await memberByOpenid(from))!
    expect(await pointsBalance(database.db, memberId, clock.now())).toBe(50)

    // WeChat retries the same push three times (same FromUserName + CreateTime): same answer, nothing more.
    const retries = await Promise.all([push(fields), push(fields), push(fields)])
    for (const r of retries) expect(replyText(r)).toMatch(/50 积分已到账/)
    expect(await pointsBalance(database.db, memberId, clock.now())).toBe(50)
    const events = await eventsOf(memberId)
    expect(events.filter((e) => e.type === 'oa_followed')).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ channel: 'store-counter', pointsCredited: 50 }),
      }),
    ])
    const [done] = await database.db
      .select({ n: count() })
      .from(taskCompletions)
      .where(eq(taskCompletions.memberId, memberId))
    expect(done!.n).toBe(1)
  })

  it('an unfollow is recorded; following again credits nothing', async () => {
    const from = openid()
    await push(follow(from))
    const memberId = (await memberByOpenid(from))!
    clock.advance(60_000)
    const off = await push({ FromUserName: from, MsgType: 'event', Event: 'unsubscribe' })
    expect(off.status).toBe(200)
    expect(off.text).toBe('success')
    clock.advance(60_000)
    const again = await push(follow(from))
    expect(replyText(again)).not.toMatch(/积分已到账/)
    expect(await pointsBalance(database.db, memberId, clock.now())).toBe(50)
    const types = (await eventsOf(memberId)).map((e) => e.type).sort()
    expect(types).toEqual(['oa_followed', 'oa_followed', 'oa_unfollowed'])
  })

  it('an unfollow from someone never seen makes no member', async () => {
    const before = await rowCounts()
    const res = await push({ FromUserName: openid(), MsgType: 'event', Event: 'unsubscribe' })
    expect(res.text).toBe('success')
    expect(await rowCounts()).toEqual(before)
  })

  it('a follow carrying the unionid of a mini-program member lands on that member', async () => {
    const unionid = `oUnion_${process.pid}_${++seq}`
    const shopper = await makeMember(database.db, {
      identities: [
        { kind: 'mp_openid', value: `oMp_${seq}` },
        { kind: 'unionid', value: unionid },
      ],
    })
    const from = openid()
    await push(follow(from, { UnionId: unionid }))
    expect(await memberByOpenid(from)).toBe(shopper.id)
    expect(await pointsBalance(database.db, shopper.id, clock.now())).toBe(50)
  })

  it('a follower first known only by the openid is merged into the member their unionid names', async () => {
    const from = openid()
    await push({ FromUserName: from, MsgType: 'text', Content: '你好', MsgId: `${Date.now()}${++seq}` })
    const follower = (await memberByOpenid(from))!
    const unionid = `oUnion_${process.pid}_${++seq}`
    const shopper = await makeMember(database.db, {
      identities: [
        { kind: 'mp_openid', value: `oMp_${seq}` },
        { kind: 'unionid', value: unionid },
      ],
    })
    clock.advance(1000)
    await push(follow(from, { UnionId: unionid }))
    expect(await memberByOpenid(from)).toBe(shopper.id)
    const [absorbed] = await database.db.select().from(members).where(eq(members.id, follower))
    expect(absorbed!.mergedIntoId).toBe(shopper.id)
    // The earlier message moved with the merge: the shopper's timeline has both.
    expect((await eventsOf(shopper.id)).map((e) => e.type).sort()).toEqual(['oa_followed', 'oa_message'])
  })
})

describe('menu clicks and messages: the keyword replies', () => {
  it('answers 积分 in a message and the card menu with the member facts, in plain mode', async () => {
    const from = openid()
    await push(follow(from))
    const memberId = (await memberByOpenid(from))!
    const [member] = await database.db.select().from(members).where(eq(members.id, memberId))
    const text = await push(
      { FromUserName: from, MsgType: 'text', Content: '积分', MsgId: `${Date.now()}${++seq}` },
      { mode: 'plain' },
    )
    expect(replyText(text, false)).toMatch(/可用积分 50 分/)
    const click = await push(
      { FromUserName: from, MsgType: 'event', Event: 'CLICK', EventKey: 'card' },
      { mode: 'plain' },
    )
    expect(replyText(click, false)).toContain(`会员号：${member!.memberNo}`)
    const kinds = (await eventsOf(memberId)).filter((e) => e.type === 'oa_message').map((e) => e.payload)
    expect(kinds).toEqual([
      expect.objectContaining({ kind: 'text', text: '积分' }),
      expect.objectContaining({ kind: 'click', eventKey: 'card' }),
    ])
    const timeline = await memberTimeline(database.db, memberId)
    expect(timeline.items.filter((i) => i.source === 'event').map((i) => i.summary)).toEqual([
      '公众号互动：菜单：card',
      '公众号互动：积分',
      '关注公众号',
    ])
  })

  it('stores a message no rule answers and acknowledges it with success', async () => {
    const from = openid()
    const res = await push({
      FromUserName: from,
      MsgType: 'text',
      Content: '你们的门店几点关门？',
      MsgId: `${Date.now()}${++seq}`,
    })
    expect(res.text).toBe('success')
    const [event] = await eventsOf((await memberByOpenid(from))!)
    expect(event!.payload).toMatchObject({ kind: 'text', text: '你们的门店几点关门？' })
  })

  it('binds the openid to the member whose one-time code it sends', async () => {
    await makeAccounts(database, 1)
    const shopper = await makeMember(database.db)
    const { code } = await issueBindCode(database.db, shopper.id, clock.now())
    const from = openid()
    const res = await push({
      FromUserName: from,
      MsgType: 'text',
      Content: `绑定 ${code}`,
      MsgId: `${Date.now()}${++seq}`,
    })
    expect(replyText(res)).toMatch(/绑定成功/)
    expect(await memberByOpenid(from)).toBe(shopper.id)
    const reused = await push({
      FromUserName: openid(),
      MsgType: 'text',
      Content: code,
      MsgId: `${Date.now()}${++seq}`,
    })
    expect(replyText(reused)).toMatch(/绑定码无效/)
  })
})

describe('pushes that cannot be WeChat’s are refused and write nothing', () => {
  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ['a wrong token', () => push(follow(openid()), { signWith: 'wrongtoken' }), 401, 'oa_bad_signature'],
    [
      'a stale timestamp',
      () => push(follow(openid()), { timestamp: now() - 3600 }),
      401,
      'oa_stale_timestamp',
    ],
    [
      'another appid inside',
      () => push(follow(openid()), { encryptFor: 'wx0000000000000000' }),
      403,
      'oa_wrong_appid',
    ],
    [
      'broken XML',
      async () => {
        const timestamp = String(now())
        const query = new URLSearchParams({
          signature: oaSignature(token, timestamp, '5'),
          timestamp,
          nonce: '5',
        })
        return app.request('POST', `/wechat/oa?${query}`, {
          raw: '<xml><FromUserName>o1</ToUserName>',
          headers: { 'content-type': 'text/xml' },
        })
      },
      400,
      'oa_bad_xml',
    ],
    [
      'a push without its sender',
      () => push({ MsgType: 'event', Event: 'subscribe' }, { mode: 'plain' }),
      400,
      'oa_unsupported_message',
    ],
  ]
  it.each(cases)('%s', async (_name, send, status, code) => {
    const before = await rowCounts()
    const res = await send()
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(await rowCounts()).toEqual(before)
  })
})

describe('the 5-second window', () => {
  it('answers success when handling runs past the budget, then applies the push once', async () => {
    const quick = await startTestApp(database, { clock, config: app.deps.config, oaReplyBudgetMs: 200 })
    try {
      const from = openid()
      const fields = follow(from)
      const createTime = now()
      const sourceKey = `oa:event:${from}:${createTime}:subscribe`
      let release!: () => void
      const released = new Promise<void>((resolve) => (release = resolve))
      let locked!: () => void
      const isLocked = new Promise<void>((resolve) => (locked = resolve))
      // Another transaction holds the push's lock, as a slow database would.
      const blocker = database.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${sourceKey}, 0))`)
        locked()
        await released
      })
      await isLocked
      const xml = buildOaXml({ ToUserName: 'gh_10f6c3c3ac5a', CreateTime: createTime, ...fields })
      const timestamp = String(now())
      const query = new URLSearchParams({
        signature: oaSignature(token, timestamp, '9'),
        timestamp,
        nonce: '9',
      })
      const send = () =>
        quick.request('POST', `/wechat/oa?${query}`, { raw: xml, headers: { 'content-type': 'text/xml' } })
      const late = await send()
      expect(late.status).toBe(200)
      expect(late.text).toBe('success')
      release()
      await blocker
      // WeChat's retry waits for the first handling and gets its reply; the points were credited once.
      const retry = await send()
      expect(replyText(retry, false)).toMatch(/50 积分已到账/)
      const memberId = (await memberByOpenid(from))!
      expect(await pointsBalance(database.db, memberId, clock.now())).toBe(50)
    } finally {
      await quick.close()
    }
  })
})

describe('what is not an interaction', () => {
  it('acknowledges location reports and template-send notices without a member or an event', async () => {
    const before = await rowCounts()
    const from = openid()
    const location = await push({ FromUserName: from, MsgType: 'event', Event: 'LOCATION', Latitude: '23.1' })
    const notice = await push({ FromUserName: from, MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH' })
    expect([location.text, notice.text]).toEqual(['success', 'success'])
    expect(await rowCounts()).toEqual(before)
  })
})
