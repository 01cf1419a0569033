// Each campaign kind selects the right members on the day, against a real database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { VirtualClock } from '../clock'
import { outboundMessages } from '../db/schema/chat'
import { memberTiers } from '../db/schema/loyalty'
import { referrals } from '../db/schema/referral'
import { seedReferenceData } from '../demo/seed'
import { testDatabase } from '../../test/support/db'
import { silentLogger } from '../../test/support/config'
import { approvedCampaign, makeAccount, makeReachableMember } from '../../test/support/campaigns'
import { campaignIntegrations, type CampaignIntegrations } from './integrations'
import { runDueCampaigns } from './planner'
import { campaignRecipients, campaignRuns, campaigns, memberServiceDates } from '../db/schema/campaigns'
import type { CampaignInput } from './definition'

let database: Database
let accountId: number
beforeAll(async () => {
  database = await testDatabase()
  await seedReferenceData(database.db)
  accountId = (await makeAccount(database.db)).id
})
afterAll(async () => {
  await database.close()
})
beforeEach(async () => {
  await database.db.update(campaigns).set({ status: 'archived' })
})

const clock = new VirtualClock('2026-09-25T01:00:00Z')

/** Run a campaign now; the members it sends to (cohort send), and the texts they get. */
async function sendNow(
  input: Partial<CampaignInput> & Pick<CampaignInput, 'kind'>,
  integrations: CampaignIntegrations = campaignIntegrations,
) {
  const once: CampaignInput['schedule'] = { type: 'once', at: null }
  const campaign = await approvedCampaign(database.db, clock, { schedule: once, ...input }, integrations)
  await runDueCampaigns({ db: database.db, clock, logger: silentLogger(), integrations, owner: 'w' })
  const runs = await database.db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, campaign.id))
  const run = runs.at(-1)!
  const recipients = await database.db
    .select()
    .from(campaignRecipients)
    .where(eq(campaignRecipients.runId, run.id))
  const texts = new Map(
    (await database.db.select().from(outboundMessages).where(eq(outboundMessages.campaignRunId, run.id))).map(
      (o) => [o.memberId!, o.text],
    ),
  )
  return {
    campaign,
    run,
    members: recipients.filter((r) => r.cohort === 'send').map((r) => r.memberId),
    texts,
  }
}

async function paidOrder(memberId: number, payFen: number, paidAt: string) {
  await database.db.execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
    values (${`D${memberId}-${paidAt}`}, ${memberId}, 'completed', ${payFen}, ${payFen}, ${paidAt}::timestamptz)`)
}

describe('birthday greetings', () => {
  it('greet solar birthdays by date and lunar birthdays by lunar date, once a day', async () => {
    const solar = await makeReachableMember(database.db, accountId, { birthday: '1990-09-25' })
    const lunar = await makeReachableMember(database.db, accountId, {
      birthday: '1988-08-15',
      birthdayCalendar: 'lunar',
    })
    const tomorrow = await makeReachableMember(database.db, accountId, { birthday: '1991-09-26' })
    const lunarSolarDate = await makeReachableMember(database.db, accountId, {
      birthday: '1990-08-15',
      birthdayCalendar: 'solar',
    })
    clock.set('2026-09-25T01:00:00Z')
    const campaign = await approvedCampaign(database.db, clock, {
      kind: 'birthday',
      variants: ['{{name|亲}}，生日快乐！'],
      schedule: { type: 'daily', time: '09:00' },
    })
    const deps = {
      db: database.db,
      clock,
      logger: silentLogger(),
      integrations: campaignIntegrations,
      owner: 'w',
    }
    await runDueCampaigns(deps)
    await runDueCampaigns(deps)
    clock.set('2026-09-26T01:05:00Z')
    await runDueCampaigns(deps)
    const runs = await database.db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, campaign.id))
    expect(runs.map((r) => r.runDate).sort()).toEqual(['2026-09-25', '2026-09-26'])
    const byDay = async (date: string) =>
      (
        await database.db
          .select()
          .from(campaignRecipients)
          .where(eq(campaignRecipients.runId, runs.find((r) => r.runDate === date)!.id))
      ).map((r) => r.memberId)
    expect((await byDay('2026-09-25')).sort()).toEqual([solar.id, lunar.id].sort())
    expect(await byDay('2026-09-26')).toEqual([tomorrow.id])
    expect(await byDay('2026-09-25')).not.toContain(lunarSolarDate.id)
  })

  it('can greet a few days ahead', async () => {
    const m = await makeReachableMember(database.db, accountId, { birthday: '1985-10-02' })
    clock.set('2026-09-29T01:00:00Z')
    const { members } = await sendNow({ kind: 'birthday', kindArgs: { daysAhead: 3 } })
    expect(members).toContain(m.id)
  })
})

describe('service reminders', () => {
  it('remind N days before the date on the member, naming the service and the day', async () => {
    const due = await makeReachableMember(database.db, accountId, { name: '陈雪' })
    const later = await makeReachableMember(database.db, accountId)
    await database.db.insert(memberServiceDates).values([
      { memberId: due.id, service: '皮肤检测', dueOn: '2026-10-02' },
      { memberId: later.id, service: '皮肤检测', dueOn: '2026-10-03' },
      { memberId: later.id, service: '会员续费', dueOn: '2026-10-02' },
    ])
    clock.set('2026-09-25T01:00:00Z')
    const { members, texts } = await sendNow({
      kind: 'service_reminder',
      kindArgs: { service: '皮肤检测', daysBefore: 7 },
      variants: ['{{name}}，您的{{service}}在{{due_date}}，还有{{days_left}}天'],
    })
    expect(members).toEqual([due.id])
    expect(texts.get(due.id)).toBe('陈雪，您的皮肤检测在10月2日，还有7天')
  })
})

describe('win-backs', () => {
  it('find members not seen (nor buying) for N days, and leave them alone during the cool-down', async () => {
    clock.set('2026-09-25T01:00:00Z')
    const asleep = await makeReachableMember(database.db, accountId, {
      lastSeenAt: new Date('2026-06-01T00:00:00Z'),
    })
    const recent = await makeReachableMember(database.db, accountId, {
      lastSeenAt: new Date('2026-09-20T00:00:00Z'),
    })
    const bought = await makeReachableMember(database.db, accountId, {
      lastSeenAt: new Date('2026-05-01T00:00:00Z'),
    })
    await paidOrder(bought.id, 9900, '2026-09-10T00:00:00Z')
    // Members created now are new, not asleep: back-date them.
    await database.db.execute(
      sql`update members set created_at = '2025-01-01T00:00:00Z' where id in (${asleep.id}, ${recent.id}, ${bought.id})`,
    )
    const first = await sendNow({
      kind: 'win_back',
      kindArgs: { inactiveDays: 90 },
      schedule: { type: 'daily', time: '09:00' },
      cooldownDays: 30,
      variants: ['{{name|亲}}，{{days_away}}天没见啦'],
    })
    expect(first.members).toContain(asleep.id)
    expect(first.members).not.toContain(recent.id)
    expect(first.members).not.toContain(bought.id)
    expect(first.texts.get(asleep.id)).toBe('测试会员，116天没见啦')

    clock.set('2026-09-26T01:00:00Z')
    await runDueCampaigns({
      db: database.db,
      clock,
      logger: silentLogger(),
      integrations: campaignIntegrations,
      owner: 'w',
    })
    const runs = await database.db
      .select()
      .from(campaignRuns)
      .where(eq(campaignRuns.campaignId, first.campaign.id))
    expect(runs).toHaveLength(2)
    const second = await database.db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.runId, runs.find((r) => r.runDate === '2026-09-26')!.id))
    expect(second.map((r) => r.memberId)).not.toContain(asleep.id)
  })
})

describe('tier invites', () => {
  it('invite members within reach of the next spend level, telling them how far', async () => {
    const close = await makeReachableMember(database.db, accountId, { name: '林晶' })
    const far = await makeReachableMember(database.db, accountId)
    await paidOrder(close.id, 90_000, '2026-08-01T00:00:00Z') // silver at 100,000
    await paidOrder(far.id, 40_000, '2026-08-01T00:00:00Z')
    clock.set('2026-09-25T01:00:00Z')
    const { members, texts } = await sendNow({
      kind: 'tier_invite',
      kindArgs: { mode: 'near_next_level', ladder: 'spend', withinFen: 20_000 },
      variants: ['{{name}}，再消费{{gap}}元即可升级{{next_tier}}'],
    })
    expect(members).toContain(close.id)
    expect(members).not.toContain(far.id)
    expect(texts.get(close.id)).toBe('林晶，再消费100元即可升级银卡会员')
  })

  it('invite the top super-user candidates, from the wired ranking', async () => {
    const a = await makeReachableMember(database.db, accountId)
    const b = await makeReachableMember(database.db, accountId)
    const { members } = await sendNow(
      { kind: 'tier_invite', kindArgs: { mode: 'super_user_candidates', limit: 1 } },
      {
        ...campaignIntegrations,
        superUserCandidates: async (_db, _at, limit) => [b.id, a.id].slice(0, limit),
      },
    )
    expect(members).toEqual([b.id])
  })
})

describe('referral asks', () => {
  it('ask satisfied repeat customers who never referred and were never asked', async () => {
    const happy = await makeReachableMember(database.db, accountId)
    const referrer = await makeReachableMember(database.db, accountId)
    const friend = await makeReachableMember(database.db, accountId)
    for (const m of [happy, referrer]) {
      await paidOrder(m.id, 9900, '2026-06-01T00:00:00Z')
      await paidOrder(m.id, 9900, '2026-09-10T00:00:00Z')
    }
    await database.db.insert(referrals).values({
      referrerId: referrer.id,
      refereeId: friend.id,
      attributedAt: new Date('2026-07-01T00:00:00Z'),
    })
    clock.set('2026-09-25T01:00:00Z')
    // Without the referral domain's survey-based list, kept orders stand in for satisfaction.
    const fallback = { ...campaignIntegrations, referralAskList: null }
    const first = await sendNow({ kind: 'referral_ask' }, fallback)
    expect(first.members).toContain(happy.id)
    expect(first.members).not.toContain(referrer.id)
    clock.set('2026-09-27T01:00:00Z')
    const again = await sendNow({ kind: 'referral_ask' }, fallback)
    expect(again.members).not.toContain(happy.id)
  })

  it('use the referral domain’s ask list when it is wired', async () => {
    const asked = await makeReachableMember(database.db, accountId)
    const wired = { ...campaignIntegrations, referralAskList: async () => [asked.id] }
    const { members } = await sendNow({ kind: 'referral_ask' }, wired)
    expect(members).toEqual([asked.id])
    clock.advance(2 * 86_400_000)
    const again = await sendNow({ kind: 'referral_ask' }, wired)
    expect(again.members).toEqual([])
  })
})

describe('benefit-change notices and segments', () => {
  it('tell each affected member what changes for them', async () => {
    const m = await makeReachableMember(database.db, accountId, { name: '何静' })
    const { members, texts } = await sendNow(
      { kind: 'benefit_change', variants: ['{{name}}，{{effective_date}}起{{change}}'] },
      {
        ...campaignIntegrations,
        benefitChangeNotices: async () => [
          { memberId: m.id, change: '金卡每年包邮次数调整为 4 次', effectiveOn: '2027-01-01' },
        ],
      },
    )
    expect(members).toEqual([m.id])
    expect(texts.get(m.id)).toBe('何静，1月1日起金卡每年包邮次数调整为 4 次')
  })

  it('greet every V2 member of a saved segment, evaluated when the campaign runs', async () => {
    const v2 = await makeReachableMember(database.db, accountId)
    const other = await makeReachableMember(database.db, accountId)
    const segments = {
      find: async (_db: unknown, id: number) => (id === 7 ? { id, name: 'V2 会员' } : null),
      memberIds: async () =>
        sql`select mt.member_id from member_tiers mt join tier_levels lv on lv.id = mt.level_id where lv.code = 'V2'`,
    }
    const integrations = { ...campaignIntegrations, segments }
    clock.set('2026-09-20T01:00:00Z')
    const campaign = await approvedCampaign(
      database.db,
      clock,
      {
        kind: 'holiday',
        kindArgs: { occasion: 'mid_autumn' },
        segmentId: 7,
        schedule: { type: 'yearly', time: '09:00' },
      },
      integrations,
    )
    // Joins V2 after the campaign was approved: the segment is evaluated on the day.
    const [lv] = (
      (await database.db.execute(
        sql`select lv.id, lv.ladder_id from tier_levels lv where lv.code = 'V2'`,
      )) as unknown as { rows: { id: number; ladder_id: number }[] }
    ).rows
    await database.db.insert(memberTiers).values({
      memberId: v2.id,
      ladderId: Number(lv!.ladder_id),
      levelId: Number(lv!.id),
      startsAt: new Date('2026-09-21T00:00:00Z'),
      source: 'test',
    })
    clock.set('2026-09-25T01:00:00Z')
    await runDueCampaigns({ db: database.db, clock, logger: silentLogger(), integrations, owner: 'w' })
    const [run] = await database.db
      .select()
      .from(campaignRuns)
      .where(eq(campaignRuns.campaignId, campaign.id))
    const recipients = await database.db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.runId, run!.id))
    expect(recipients.map((r) => r.memberId)).toEqual([v2.id])
    expect(recipients.map((r) => r.memberId)).not.toContain(other.id)
  })
})
