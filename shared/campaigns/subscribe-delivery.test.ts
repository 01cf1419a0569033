import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { VirtualClock } from '../clock'
import { memberEvents, memberIdentities } from '../db/schema/members'
import { testDatabase } from '../../test/support/db'
import { silentLogger } from '../../test/support/config'
import { approvedCampaign, makeAccount, makeReachableMember } from '../../test/support/campaigns'
import { SubscribeMessageClient } from '../wechat/subscribe-message'
import { campaignIntegrations } from './integrations'
import { runDueCampaigns } from './planner'
import { campaignRecipients, campaignRuns, campaigns, subscribeConsents } from '../db/schema/campaigns'
import { recordSubscribeConsents, sendDueSubscribeMessages } from './subscribe-delivery'

/** A local stand-in for api.weixin.qq.com's subscribe-message endpoint. */
class FakeWechat {
  server!: Server
  url = ''
  validToken = 'TOKEN-2'
  received: { token: string | null; body: any }[] = []
  /** openid → errcode to answer for it. */
  answers = new Map<string, number>()

  async start() {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://x')
      const body = JSON.parse(await readBody(req))
      const token = url.searchParams.get('access_token')
      res.setHeader('content-type', 'application/json')
      if (req.method !== 'POST' || url.pathname !== '/cgi-bin/message/subscribe/send') {
        res.statusCode = 404
        return res.end('{}')
      }
      if (token !== this.validToken)
        return res.end(JSON.stringify({ errcode: 40001, errmsg: 'invalid credential' }))
      this.received.push({ token, body })
      const code = this.answers.get(body.touser) ?? 0
      const errmsg = code === 0 ? 'ok' : code === 43101 ? 'user refuse to accept the msg' : 'system error'
      res.end(JSON.stringify({ errcode: code, errmsg }))
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()))
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => resolve(data))
  })
}

let database: Database
const wechat = new FakeWechat()
let refreshes = 0
let client: SubscribeMessageClient
beforeAll(async () => {
  database = await testDatabase()
  await wechat.start()
  let current = 'TOKEN-1'
  client = new SubscribeMessageClient({
    apiBase: wechat.url,
    accessToken: {
      token: async () => current,
      refresh: async () => {
        refreshes++
        current = 'TOKEN-2'
        return current
      },
    },
  })
})
afterAll(async () => {
  await wechat.stop()
  await database.close()
})

const clock = new VirtualClock('2026-12-01T02:00:00Z')
const deliveryDeps = () => ({ db: database.db, clock, logger: silentLogger(), client })

async function subscribeRun(memberIds: number[]) {
  await database.db.update(campaigns).set({ status: 'archived' })
  const campaign = await approvedCampaign(database.db, clock, {
    kind: 'holiday',
    kindArgs: { occasion: 'new_year' },
    channel: 'subscribe',
    variants: [],
    subscribe: {
      templateId: 'TPL-NEWYEAR',
      page: 'pages/member/card',
      fields: { thing1: '{{name|亲}}，新年快乐，送您一份心意', time2: '{{date}}' },
    },
  })
  await runDueCampaigns({
    db: database.db,
    clock,
    logger: silentLogger(),
    integrations: campaignIntegrations,
    owner: 'w',
  })
  const [run] = await database.db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, campaign.id))
  const rows = await database.db
    .select()
    .from(campaignRecipients)
    .where(eq(campaignRecipients.runId, run!.id))
  return { run: run!, rows: rows.filter((r) => memberIds.includes(r.memberId)) }
}

async function openidOf(memberId: number) {
  const [i] = await database.db
    .select()
    .from(memberIdentities)
    .where(and(eq(memberIdentities.memberId, memberId), eq(memberIdentities.kind, 'mp_openid')))
  return i!.value
}

async function consentLeft(memberId: number) {
  const [c] = await database.db
    .select()
    .from(subscribeConsents)
    .where(and(eq(subscribeConsents.memberId, memberId), eq(subscribeConsents.templateId, 'TPL-NEWYEAR')))
  return c?.remaining ?? 0
}

describe('subscribe messages', () => {
  it('sends the real request format, refreshing an expired access token once', async () => {
    const account = await makeAccount(database.db)
    const member = await makeReachableMember(database.db, account.id, { name: '周婷', contact: false })
    await recordSubscribeConsents(database.db, member.id, ['TPL-NEWYEAR', 'TPL-NEWYEAR'], clock.now())
    expect(await consentLeft(member.id)).toBe(2)
    const { run, rows } = await subscribeRun([member.id])
    expect(rows).toMatchObject([{ channel: 'subscribe', subscribeStatus: 'pending' }])

    const result = await sendDueSubscribeMessages(deliveryDeps())
    expect(result).toMatchObject({ sent: 1, failed: 0 })
    expect(refreshes).toBe(1)
    const sent = wechat.received.at(-1)!
    expect(sent.token).toBe('TOKEN-2')
    expect(sent.body).toEqual({
      touser: await openidOf(member.id),
      template_id: 'TPL-NEWYEAR',
      page: 'pages/member/card',
      data: { thing1: { value: '周婷，新年快乐，送您一份心意' }, time2: { value: '12月1日' } },
      lang: 'zh_CN',
    })
    expect(await consentLeft(member.id)).toBe(1)
    const [rec] = await database.db
      .select()
      .from(campaignRecipients)
      .where(and(eq(campaignRecipients.runId, run.id), eq(campaignRecipients.memberId, member.id)))
    expect(rec).toMatchObject({ subscribeStatus: 'sent', subscribeSentAt: clock.now() })
    const events = await database.db.select().from(memberEvents).where(eq(memberEvents.memberId, member.id))
    expect(events.map((e) => e.type)).toContain('campaign_delivered')

    // Nothing is sent twice.
    const before = wechat.received.length
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0 })
    expect(wechat.received.length).toBe(before)
  })

  it('truncates a thing field to the 20 characters WeChat accepts', async () => {
    const account = await makeAccount(database.db)
    const member = await makeReachableMember(database.db, account.id, {
      name: '欧阳娜娜娜娜娜娜娜娜娜娜',
      contact: false,
    })
    await recordSubscribeConsents(database.db, member.id, ['TPL-NEWYEAR'], clock.now())
    clock.advance(86_400_000)
    await subscribeRun([member.id])
    await sendDueSubscribeMessages(deliveryDeps())
    const body = wechat.received.at(-1)!.body
    expect(body.touser).toBe(await openidOf(member.id))
    expect([...body.data.thing1.value]).toHaveLength(20)
  })

  it('believes WeChat when it says no consent is left, and keeps a message refused while busy for later', async () => {
    const account = await makeAccount(database.db)
    const refused = await makeReachableMember(database.db, account.id, { contact: false })
    const busy = await makeReachableMember(database.db, account.id, { contact: false })
    await recordSubscribeConsents(database.db, refused.id, ['TPL-NEWYEAR', 'TPL-NEWYEAR'], clock.now())
    await recordSubscribeConsents(database.db, busy.id, ['TPL-NEWYEAR'], clock.now())
    wechat.answers.set(await openidOf(refused.id), 43101)
    wechat.answers.set(await openidOf(busy.id), -1)
    clock.advance(86_400_000)
    const { run } = await subscribeRun([refused.id, busy.id])
    const result = await sendDueSubscribeMessages(deliveryDeps())
    expect(result).toMatchObject({ sent: 0, failed: 1, retry: 1 })
    const rows = await database.db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.runId, run.id))
    const byMember = new Map(rows.map((r) => [r.memberId, r]))
    expect(byMember.get(refused.id)).toMatchObject({
      subscribeStatus: 'failed',
      subscribeError: expect.stringContaining('43101'),
    })
    expect(await consentLeft(refused.id)).toBe(0)
    expect(byMember.get(busy.id)).toMatchObject({ subscribeStatus: 'pending' })
    expect(await consentLeft(busy.id)).toBe(1)

    wechat.answers.delete(await openidOf(busy.id))
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 1 })
    expect(await consentLeft(busy.id)).toBe(0)
  })

  it('never sends again a message interrupted while sending', async () => {
    const account = await makeAccount(database.db)
    const member = await makeReachableMember(database.db, account.id, { contact: false })
    await recordSubscribeConsents(database.db, member.id, ['TPL-NEWYEAR'], clock.now())
    clock.advance(86_400_000)
    const { run } = await subscribeRun([member.id])
    // A worker claimed it and died before WeChat answered.
    await database.db
      .update(campaignRecipients)
      .set({ subscribeStatus: 'sending', subscribeSentAt: clock.now() })
      .where(and(eq(campaignRecipients.runId, run.id), eq(campaignRecipients.memberId, member.id)))
    const before = wechat.received.length
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0, abandoned: 0 })
    clock.advance(11 * 60_000)
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0, abandoned: 1 })
    expect(wechat.received.length).toBe(before)
    const [rec] = await database.db
      .select()
      .from(campaignRecipients)
      .where(and(eq(campaignRecipients.runId, run.id), eq(campaignRecipients.memberId, member.id)))
    expect(rec!.subscribeStatus).toBe('failed')
  })
})
