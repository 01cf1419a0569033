import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { VirtualClock } from '../clock'
import { outboundMessages } from '../db/schema/chat'
import { testDatabase } from '../../test/support/db'
import { makeAccount, makeReachableMember } from '../../test/support/campaigns'
import { campaignInputSchema } from './definition'
import { campaignIntegrations } from './integrations'
import { checkForSave } from './service'
import { dryRunCampaign } from './preview'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('the dry run asks the wired pacing rule when each account finishes, counting what is queued ahead', async () => {
  const clock = new VirtualClock('2026-09-20T02:00:00Z')
  const account = await makeAccount(database.db)
  const m = await makeReachableMember(database.db, account.id)
  await makeReachableMember(database.db, account.id)
  await database.db.insert(outboundMessages).values({
    dedupeKey: 'ahead-1',
    accountId: account.id,
    memberId: m.id,
    kind: 'direct',
    text: '在吗',
    source: 'operator',
  })
  const asked: [number, number, string][] = []
  const ctx = {
    db: database.db,
    clock,
    integrations: {
      ...campaignIntegrations,
      accountFinishEstimate: async (_db: unknown, accountId: number, messages: number, start: Date) => {
        asked.push([accountId, messages, start.toISOString()])
        return new Date('2026-09-25T03:00:00Z')
      },
    },
  }
  const campaign = await checkForSave(
    ctx,
    campaignInputSchema.parse({
      name: '中秋',
      kind: 'holiday',
      kindArgs: { occasion: 'mid_autumn' },
      channel: 'direct',
      variants: ['{{name|亲}}，中秋快乐'],
      schedule: { type: 'yearly', time: '09:00' },
    }),
  )
  const dry = await dryRunCampaign(ctx, campaign, null)
  expect(asked).toEqual([[account.id, 3, '2026-09-25T01:00:00.000Z']])
  expect(dry.accounts.find((a) => a.accountId === account.id)).toMatchObject({
    direct: 2,
    backlog: 1,
    estimatedFinishAt: '2026-09-25T03:00:00.000Z',
  })
  expect(dry.assumptions.intervalSeconds).toBeNull()
})
