import { afterAll, beforeAll, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { seedDemo } from '../demo/seed'
import { testDatabase } from '../../test/support/db'
import { campaignResults } from './results'
import { campaignRuns, campaigns } from '../db/schema/campaigns'
import { seedCampaignDemo } from './demo'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('the demo brand has campaigns waiting for their day and one already sent, with results', async () => {
  const now = new Date('2026-11-22T04:00:00Z')
  await seedDemo(database, { members: 240, now })
  const list = await database.db.select().from(campaigns).orderBy(campaigns.id)
  expect(list.map((c) => [c.name, c.status])).toEqual([
    ['中秋问候', 'approved'],
    ['生日祝福', 'approved'],
    ['沉睡会员唤醒', 'draft'],
    ['银卡/金卡升级邀请', 'draft'],
    ['老客推荐邀请', 'draft'],
    ['会员日问候', 'archived'],
  ])
  const past = list.at(-1)!
  const [run] = await database.db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, past.id))
  expect(run).toMatchObject({ status: 'planned', runDate: '2026-11-01' })
  const results = await campaignResults(database.db, past.id)
  expect(results.totals.sent).toBeGreaterThan(100)
  expect(results.totals.failed).toBeGreaterThan(0)
  expect(results.totals.holdout).toBeGreaterThan(0)
  expect(results.accounts.filter((a) => a.accountId !== null).length).toBe(3)

  await seedCampaignDemo(database.db, now)
  expect(await database.db.select().from(campaigns)).toHaveLength(list.length)
})
