import { afterAll, beforeAll, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { outboundMessages } from '../shared/db/schema/chat'
import { campaignRuns } from '../shared/db/schema/campaigns'
import { testDatabase } from '../test/support/db'
import { silentLogger } from '../test/support/config'
import { approvedCampaign, makeAccount, makeReachableMember } from '../test/support/campaigns'
import { Scheduler } from './scheduler'
import { jobs } from './jobs'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('the campaigns job sends a Dragon Boat greeting on the festival in Asia/Shanghai, once, whichever worker ticks', async () => {
  const clock = new VirtualClock('2027-06-01T00:00:00Z')
  const account = await makeAccount(database.db)
  const member = await makeReachableMember(database.db, account.id)
  const campaign = await approvedCampaign(database.db, clock, {
    kind: 'holiday',
    kindArgs: { occasion: 'dragon_boat' },
    variants: ['{{name|亲}}，{{festival}}安康！'],
    schedule: { type: 'yearly', time: '10:00' },
  })
  const job = jobs.find((j) => j.name === 'campaigns')!
  const workers = ['worker-a', 'worker-b'].map(
    (owner) => new Scheduler({ db: database.db, clock, logger: silentLogger(), owner }, [job]),
  )
  // Every hour from 7 June 00:00 to 11 June 00:00 Shanghai time (端午 2027 is 9 June), both workers.
  const from = Date.parse('2027-06-06T16:00:00Z')
  const enqueuedAt: string[] = []
  for (let t = from; t < from + 4 * 86_400_000; t += 60 * 60_000) {
    clock.set(new Date(t))
    const slot = new Date(t).toISOString()
    await Promise.all(workers.map((w) => w.runOnce(job, slot)))
    const rows = await database.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.memberId, member.id))
    if (rows.length > enqueuedAt.length) enqueuedAt.push(slot)
  }
  expect(enqueuedAt).toEqual(['2027-06-09T02:00:00.000Z']) // 10:00 on 9 June in Shanghai
  const runs = await database.db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, campaign.id))
  expect(runs.map((r) => [r.runDate, r.status])).toEqual([['2027-06-09', 'planned']])
  const [msg] = await database.db
    .select()
    .from(outboundMessages)
    .where(eq(outboundMessages.memberId, member.id))
  expect(msg!.text).toBe('测试会员，端午节安康！')
})
