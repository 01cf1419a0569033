import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { and, eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { VirtualClock } from '../clock'
import { outboundMessages } from '../db/schema/chat'
import { pointsEntries } from '../db/schema/loyalty'
import { testDatabase } from '../../test/support/db'
import { silentLogger } from '../../test/support/config'
import { approvedCampaign, makeAccount, makeReachableMember } from '../../test/support/campaigns'
import { campaignIntegrations } from './integrations'
import { runDueCampaigns, type PlannerDeps } from './planner'
import { campaignRecipients, campaignRuns, campaigns, subscribeConsents } from '../db/schema/campaigns'
import { campaignResults, unreachableRecipients } from './results'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

const clock = new VirtualClock('2026-09-01T00:00:00Z')
const deps = (owner = 'worker-a', batchSize?: number): PlannerDeps => ({
  db: database.db,
  clock,
  logger: silentLogger(),
  integrations: campaignIntegrations,
  owner,
  ...(batchSize ? { batchSize } : {}),
})

async function outboxOf(runId: number) {
  return database.db
    .select()
    .from(outboundMessages)
    .where(eq(outboundMessages.campaignRunId, runId))
    .orderBy(outboundMessages.memberId)
}

async function runsOf(campaignId: number) {
  return database.db
    .select()
    .from(campaignRuns)
    .where(eq(campaignRuns.campaignId, campaignId))
    .orderBy(campaignRuns.id)
}

// Each test starts from a brand whose earlier campaigns are archived, so only its own campaign runs.
beforeEach(async () => {
  await database.db.update(campaigns).set({ status: 'archived' })
})

describe('a yearly Mid-Autumn greeting on a virtual clock', () => {
  it('enqueues on 25 September 2026 in Asia/Shanghai from 09:00, once, and again on 15 September 2027', async () => {
    const account = await makeAccount(database.db)
    const a = await makeReachableMember(database.db, account.id, { name: '王丽' })
    const b = await makeReachableMember(database.db, account.id, { name: '李静' })
    clock.set('2026-09-01T00:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'mid_autumn' },
      variants: ['{{name|亲}}，{{festival}}快乐！{{advisor}}祝您阖家团圆'],
      schedule: { type: 'yearly', time: '09:00' },
    })

    const tick = async (at: string) => {
      clock.set(at)
      return (await runDueCampaigns(deps())).started
    }
    expect(await tick('2026-09-24T12:00:00Z')).toBe(0) // 24 Sep 20:00 in Shanghai
    expect(await tick('2026-09-24T16:00:00Z')).toBe(0) // 25 Sep 00:00 in Shanghai, before 09:00
    expect(await tick('2026-09-25T00:59:00Z')).toBe(0) // 08:59
    expect(await runsOf(campaign.id)).toEqual([])
    expect(await tick('2026-09-25T01:00:00Z')).toBe(1) // 09:00 on Mid-Autumn day
    expect(await tick('2026-09-25T01:10:00Z')).toBe(0)
    expect(await tick('2026-09-25T15:50:00Z')).toBe(0) // 23:50, same day
    expect(await tick('2026-09-26T01:00:00Z')).toBe(0) // the day after

    const runs = await runsOf(campaign.id)
    expect(runs.map((r) => [r.runDate, r.occasionKey, r.occasionName, r.status])).toEqual([
      ['2026-09-25', '2026-09-25', '中秋节', 'planned'],
    ])
    const sent = await outboxOf(runs[0]!.id)
    expect(sent.map((o) => [o.memberId, o.accountId, o.kind, o.source, o.dedupeKey])).toEqual([
      [a.id, account.id, 'direct', 'campaign', `campaign:${runs[0]!.id}:${a.id}`],
      [b.id, account.id, 'direct', 'campaign', `campaign:${runs[0]!.id}:${b.id}`],
    ])
    expect(sent[0]!.text).toBe(`王丽，中秋节快乐！小美${account.displayName.slice(2, -7)}祝您阖家团圆`)
    expect(sent[1]!.text).toMatch(/^李静，中秋节快乐！/)

    expect(await tick('2027-09-15T01:30:00Z')).toBe(1)
    expect((await runsOf(campaign.id)).map((r) => r.runDate)).toEqual(['2026-09-25', '2027-09-15'])
  })

  it('counts the day in Asia/Shanghai even while it is still the day before in UTC', async () => {
    const account = await makeAccount(database.db)
    await makeReachableMember(database.db, account.id)
    clock.set('2026-09-20T00:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'mid_autumn' },
      schedule: { type: 'yearly', time: '00:30' },
    })
    clock.set('2026-09-24T16:31:00Z') // UTC 24 September, Shanghai 25 September 00:31
    await runDueCampaigns(deps())
    expect((await runsOf(campaign.id)).map((r) => r.runDate)).toEqual(['2026-09-25'])
  })

  it('starts a run once when two workers look at the same minute', async () => {
    const account = await makeAccount(database.db)
    const m = await makeReachableMember(database.db, account.id)
    clock.set('2026-10-01T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'national_day' },
      schedule: { type: 'yearly', time: '09:00' },
    })
    const results = await Promise.all([runDueCampaigns(deps('worker-a')), runDueCampaigns(deps('worker-b'))])
    expect(results.reduce((s, r) => s + r.started, 0)).toBe(1)
    const runs = await runsOf(campaign.id)
    expect(runs).toHaveLength(1)
    const outbox = await outboxOf(runs[0]!.id)
    expect(outbox.filter((o) => o.memberId === m.id)).toHaveLength(1)
    expect(new Set(outbox.map((o) => o.memberId)).size).toBe(outbox.length)
  })
})

describe('who receives it', () => {
  it('sends nothing to members who opted out, and records them as opted out', async () => {
    const account = await makeAccount(database.db)
    const staying = await makeReachableMember(database.db, account.id)
    const optedOut = await makeReachableMember(database.db, account.id, {
      optedOutAt: new Date('2026-05-01T00:00:00Z'),
    })
    clock.set('2026-11-01T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
    })
    await runDueCampaigns(deps())
    const [run] = await runsOf(campaign.id)
    const outbox = await outboxOf(run!.id)
    expect(outbox.map((o) => o.memberId)).toContain(staying.id)
    expect(outbox.some((o) => o.memberId === optedOut.id)).toBe(false)
    const [rec] = await database.db
      .select()
      .from(campaignRecipients)
      .where(and(eq(campaignRecipients.runId, run!.id), eq(campaignRecipients.memberId, optedOut.id)))
    expect(rec).toMatchObject({ cohort: 'opted_out' })
    const results = await campaignResults(database.db, campaign.id)
    expect(results.totals.optedOut).toBeGreaterThanOrEqual(1)
    const all = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from outbound_messages where member_id = ${optedOut.id}`,
    )
    expect(all[0]!.n).toBe(0)
  })

  it('holds out a share of the audience, sends them nothing and reports them', async () => {
    const account = await makeAccount(database.db)
    const ids: number[] = []
    for (let i = 0; i < 60; i++) ids.push((await makeReachableMember(database.db, account.id)).id)
    clock.set('2026-11-02T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
      holdoutPct: 30,
    })
    await runDueCampaigns(deps())
    const [run] = await runsOf(campaign.id)
    const recipients = await database.db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.runId, run!.id))
    const holdout = recipients.filter((r) => r.cohort === 'holdout').map((r) => r.memberId)
    const sendIds = recipients.filter((r) => r.cohort === 'send').map((r) => r.memberId)
    // 30% of this campaign's 60 members, give or take the draw (the audience includes earlier tests' members).
    const ours = holdout.filter((id) => ids.includes(id)).length
    expect(ours).toBeGreaterThan(6)
    expect(ours).toBeLessThan(30)
    const outbox = await outboxOf(run!.id)
    expect(outbox.filter((o) => holdout.includes(o.memberId!))).toEqual([])
    expect(new Set(outbox.map((o) => o.memberId))).toEqual(new Set(sendIds))

    // A member who buys within 7 days counts for their cohort in the uplift.
    const buyer = holdout[0]!
    await database.db
      .execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
      values (${`D-H-${buyer}`}, ${buyer}, 'paid', 9900, 9900, ${'2026-11-03T02:00:00Z'}::timestamptz)`)
    const results = await campaignResults(database.db, campaign.id)
    expect(results.totals.holdout).toBe(holdout.length)
    expect(results.totals.send).toBe(sendIds.length)
    expect(results.totals.holdoutBuyers).toBe(1)
    expect(results.totals.holdoutRevenueFen).toBe(9900)
    expect(results.uplift.holdoutConversion).toBeCloseTo(1 / holdout.length)
    expect(results.uplift.conversionUpliftPts).toBeLessThan(0)
  })

  it('falls back to a subscribe message when there is no chat contact, and reports who it cannot reach', async () => {
    const account = await makeAccount(database.db)
    const chat = await makeReachableMember(database.db, account.id)
    const noContact = await makeReachableMember(database.db, account.id, { contact: false })
    const consenting = await makeReachableMember(database.db, account.id, { contact: false })
    const noAdvisor = await makeReachableMember(database.db, null)
    await database.db
      .insert(subscribeConsents)
      .values({ memberId: consenting.id, templateId: 'TPL-GREET', remaining: 1 })
    clock.set('2026-11-03T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
      subscribe: {
        templateId: 'TPL-GREET',
        page: 'pages/index/index',
        fields: { thing1: '{{name|亲}}，新年快乐', date2: '{{date}}' },
      },
    })
    await runDueCampaigns(deps())
    const [run] = await runsOf(campaign.id)
    const byMember = new Map(
      (await database.db.select().from(campaignRecipients).where(eq(campaignRecipients.runId, run!.id))).map(
        (r) => [r.memberId, r],
      ),
    )
    expect(byMember.get(chat.id)).toMatchObject({ channel: 'direct', unreachableReason: null })
    expect(byMember.get(consenting.id)).toMatchObject({
      channel: 'subscribe',
      subscribeStatus: 'pending',
      subscribeData: { thing1: { value: '测试会员，新年快乐' }, date2: { value: '11月3日' } },
    })
    expect(byMember.get(noContact.id)).toMatchObject({
      channel: 'none',
      unreachableReason: 'no_chat_contact',
    })
    expect(byMember.get(noAdvisor.id)).toMatchObject({ channel: 'none', unreachableReason: 'no_advisor' })
    const outbox = await outboxOf(run!.id)
    expect(outbox.map((o) => o.memberId)).toContain(chat.id)
    expect(outbox.map((o) => o.memberId)).not.toContain(consenting.id)
    const unreachable = await unreachableRecipients(database.db, run!.id)
    expect(unreachable.map((u) => [u.member_id, u.reason])).toEqual(
      expect.arrayContaining([
        [noContact.id, 'no_chat_contact'],
        [noAdvisor.id, 'no_advisor'],
      ]),
    )
  })
})

describe('a crash in the middle of a run', () => {
  it('resumes where it stopped and enqueues nobody twice', async () => {
    const account = await makeAccount(database.db)
    const ids: number[] = []
    for (let i = 0; i < 30; i++) ids.push((await makeReachableMember(database.db, account.id)).id)
    clock.set('2026-11-04T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
    })
    // The database refuses one member's row half-way through the run, as a crash would stop it there.
    const victim = ids[20]!
    await database.db.execute(
      sql.raw(`create or replace function campaign_test_crash() returns trigger language plpgsql as $$
      begin if new.member_id = ${victim} then raise exception 'connection lost'; end if; return new; end $$`),
    )
    await database.db.execute(
      sql.raw(`create trigger campaign_test_crash before insert on outbound_messages
      for each row execute function campaign_test_crash()`),
    )
    let before: Awaited<ReturnType<typeof outboxOf>>
    let run: Awaited<ReturnType<typeof runsOf>>[number]
    try {
      const first = await runDueCampaigns(deps('worker-a', 7))
      expect(first).toMatchObject({ started: 1, planned: 0, failed: 1 })
      ;[run] = (await runsOf(campaign.id)) as [typeof run]
      expect(run).toMatchObject({ status: 'planning', phase: 'audience', lastError: 'connection lost' })
      expect(run.cursorMemberId).toBeLessThan(victim)
      before = await outboxOf(run.id)
      expect(before.length).toBeGreaterThan(0)
      expect(before.map((o) => o.memberId)).not.toContain(victim)
      // Every batch before the crash is whole: recipients and outbox rows together.
      const recipientsBefore = await database.db
        .select()
        .from(campaignRecipients)
        .where(eq(campaignRecipients.runId, run.id))
      expect(recipientsBefore.filter((r) => r.cohort === 'send' && r.channel === 'direct').length).toBe(
        before.length,
      )
      // Meanwhile the bot sends what was already queued.
      await database.db
        .update(outboundMessages)
        .set({ status: 'sent', sentAt: clock.now() })
        .where(eq(outboundMessages.campaignRunId, run.id))
    } finally {
      await database.db.execute(sql.raw(`drop trigger if exists campaign_test_crash on outbound_messages`))
    }
    clock.advance(10 * 60_000)
    const second = await runDueCampaigns(deps('worker-b', 7))
    expect(second).toMatchObject({ started: 0, planned: 1 })
    const after = await outboxOf(run.id)
    const sendMembers = (
      await database.db
        .select({ memberId: campaignRecipients.memberId })
        .from(campaignRecipients)
        .where(
          and(
            eq(campaignRecipients.runId, run.id),
            eq(campaignRecipients.cohort, 'send'),
            eq(campaignRecipients.channel, 'direct'),
          ),
        )
    ).map((r) => r.memberId)
    expect(after.map((o) => o.memberId).sort((x, y) => x! - y!)).toEqual(sendMembers.sort((x, y) => x - y))
    expect(new Set(after.map((o) => o.memberId)).size).toBe(after.length)
    for (const id of ids) expect(after.filter((o) => o.memberId === id)).toHaveLength(1)
    // What was sent before the crash stays sent, the rest is queued.
    const sentBefore = new Set(before.map((o) => o.id))
    expect(after.filter((o) => sentBefore.has(o.id)).every((o) => o.status === 'sent')).toBe(true)
    expect(after.filter((o) => !sentBefore.has(o.id)).every((o) => o.status === 'queued')).toBe(true)
    expect((await runsOf(campaign.id))[0]).toMatchObject({
      status: 'planned',
      phase: 'done',
      lastError: null,
    })
  })

  it('waits for a crashed worker’s lease to expire, then another worker resumes', async () => {
    const account = await makeAccount(database.db)
    const m = await makeReachableMember(database.db, account.id)
    clock.set('2026-11-05T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
    })
    // worker-a created the run and died while holding its lease.
    const [run] = await database.db
      .insert(campaignRuns)
      .values({
        campaignId: campaign.id,
        occasionKey: 'once',
        runDate: '2026-11-05',
        campaignVersion: campaign.version,
        startedAt: clock.now(),
        leaseOwner: 'worker-a',
        leaseUntil: new Date(clock.now().getTime() + 10 * 60_000),
      })
      .returning()
    expect(await runDueCampaigns(deps('worker-b'))).toMatchObject({ started: 0, planned: 0 })
    expect(await outboxOf(run!.id)).toEqual([])
    clock.advance(11 * 60_000)
    expect(await runDueCampaigns(deps('worker-b'))).toMatchObject({ started: 0, planned: 1 })
    expect((await outboxOf(run!.id)).map((o) => o.memberId)).toContain(m.id)
  })

  it('credits attached points once, even when the gifts phase runs again', async () => {
    const account = await makeAccount(database.db)
    const m = await makeReachableMember(database.db, account.id)
    clock.set('2026-11-06T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
      variants: ['{{name|亲}}，送您{{gift_points}}积分'],
      offer: { points: 200 },
    })
    await runDueCampaigns(deps())
    const [run] = await runsOf(campaign.id)
    // Planning again from the gifts phase (as after a crash there) changes nothing.
    await database.db
      .update(campaignRuns)
      .set({ status: 'planning', phase: 'gifts' })
      .where(eq(campaignRuns.id, run!.id))
    await runDueCampaigns(deps())
    const gifts = await database.db
      .select()
      .from(pointsEntries)
      .where(eq(pointsEntries.sourceKey, `campaign:${run!.id}:${m.id}:gift`))
    expect(gifts.map((g) => g.amount)).toEqual([200])
    const [msg] = (await outboxOf(run!.id)).filter((o) => o.memberId === m.id)
    expect(msg!.text).toBe('测试会员，送您200积分')
  })
})

describe('runs that must not happen', () => {
  it('cancels a run whose campaign was edited after it started, and does not start a paused one', async () => {
    const account = await makeAccount(database.db)
    await makeReachableMember(database.db, account.id)
    clock.set('2026-11-07T02:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'holiday',
      kindArgs: { occasion: 'new_year' },
    })
    await database.db.update(campaigns).set({ status: 'paused' }).where(eq(campaigns.id, campaign.id))
    expect((await runDueCampaigns(deps())).started).toBe(0)
    await database.db.update(campaigns).set({ status: 'approved' }).where(eq(campaigns.id, campaign.id))
    const [run] = await database.db
      .insert(campaignRuns)
      .values({
        campaignId: campaign.id,
        occasionKey: 'x',
        runDate: '2026-11-07',
        campaignVersion: 99,
        startedAt: clock.now(),
      })
      .returning()
    await runDueCampaigns(deps())
    const [after] = await database.db.select().from(campaignRuns).where(eq(campaignRuns.id, run!.id))
    expect(after).toMatchObject({ status: 'cancelled' })
    expect(await outboxOf(run!.id)).toEqual([])
  })
})
