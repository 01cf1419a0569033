import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { VirtualClock } from '../clock'
import { memberEvents, memberIdentities } from '../db/schema/members'
import { testDatabase } from '../../test/support/db'
import { silentLogger } from '../../test/support/config'
import { approvedCampaign, makeAccount, makeReachableMember } from '../../test/support/campaigns'
import { startFakeWechat, type FakeWechat } from '../../test/support/fake-wechat'
import { MiniProgramApi } from '../wechat/mini-program'
import { campaignIntegrations } from './integrations'
import { runDueCampaigns } from './planner'
import { campaignRecipients, campaignRuns, campaigns, subscribeConsents } from '../db/schema/campaigns'
import { recordSubscribeConsents, sendDueSubscribeMessages } from './subscribe-delivery'

let database: Database
const clock = new VirtualClock('2026-12-01T02:00:00Z')
let wechat: FakeWechat
let client: MiniProgramApi
const SEND = '/cgi-bin/message/subscribe/send'
beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  client = new MiniProgramApi(
    { baseUrl: wechat.url, appid: wechat.appid, secret: wechat.secret },
    database.db,
    clock,
  )
})
afterAll(async () => {
  await wechat.close()
  await database.close()
})

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

    // The access token the store holds has gone stale (another party refreshed it).
    const stale = await client.tokens.get()
    wechat.revokeAccessTokens()
    const sendsBefore = wechat.calls(SEND).length
    const refreshesBefore = wechat.calls('/cgi-bin/stable_token').length
    const result = await sendDueSubscribeMessages(deliveryDeps())
    expect(result).toMatchObject({ sent: 1, failed: 0 })
    const refreshes = wechat.calls('/cgi-bin/stable_token').slice(refreshesBefore)
    expect(refreshes.map((r) => r.body.force_refresh)).toEqual([true])
    const attempts = wechat.calls(SEND).slice(sendsBefore)
    expect(attempts.map((a) => a.query.get('access_token'))).toEqual([stale, await client.tokens.get()])
    expect(attempts[1]!.query.get('access_token')).not.toBe(stale)
    const sent = attempts[1]!
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
    const before = wechat.calls(SEND).length
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0 })
    expect(wechat.calls(SEND).length).toBe(before)
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
    const body = wechat.calls(SEND).at(-1)!.body
    expect(body.touser).toBe(await openidOf(member.id))
    expect([...body.data.thing1.value]).toHaveLength(20)
  })

  it('believes WeChat when it says no consent is left, and keeps a message refused while busy for later', async () => {
    const account = await makeAccount(database.db)
    const refused = await makeReachableMember(database.db, account.id, { contact: false })
    const busy = await makeReachableMember(database.db, account.id, { contact: false })
    await recordSubscribeConsents(database.db, refused.id, ['TPL-NEWYEAR', 'TPL-NEWYEAR'], clock.now())
    await recordSubscribeConsents(database.db, busy.id, ['TPL-NEWYEAR'], clock.now())
    wechat.answerSubscribeTo(await openidOf(refused.id), {
      errcode: 43101,
      errmsg: 'user refuse to accept the msg',
    })
    wechat.answerSubscribeTo(await openidOf(busy.id), { errcode: -1, errmsg: 'system error' })
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

    wechat.answerSubscribeTo(await openidOf(busy.id), null)
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
    const before = wechat.calls(SEND).length
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0, abandoned: 0 })
    clock.advance(11 * 60_000)
    expect(await sendDueSubscribeMessages(deliveryDeps())).toMatchObject({ sent: 0, abandoned: 1 })
    expect(wechat.calls(SEND).length).toBe(before)
    const [rec] = await database.db
      .select()
      .from(campaignRecipients)
      .where(and(eq(campaignRecipients.runId, run.id), eq(campaignRecipients.memberId, member.id)))
    expect(rec!.subscribeStatus).toBe('failed')
  })
})
