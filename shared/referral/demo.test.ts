// The demo brand shows referral and distribution with believable data, made by the real services.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { queryRows } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { seedDemo } from '../demo/seed'
import { seedReferralDemo } from './demo'
import { commissionLedgerDiscrepancies } from './commission-ledger'
import { advocateValues } from './advocates'
import { superCommunicators } from './stats'

let database: Database
const now = new Date('2026-11-22T04:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 240, now })
})
afterAll(async () => {
  await database.close()
})

const count = async (table: string) =>
  (await queryRows<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n

it('seeds share codes, leads, promoters with commission, withdrawals, surveys and statistics', async () => {
  expect(await count('share_codes')).toBeGreaterThan(5)
  expect(await count('referral_touches')).toBeGreaterThan(await count('referrals'))
  expect(await count('promoters')).toBeGreaterThan(0)
  expect(await count('commissions')).toBeGreaterThan(0)
  expect(await count('withdrawals')).toBeGreaterThan(0)
  expect(await count('survey_responses')).toBeGreaterThan(10)
  expect(await count('referral_stats')).toBeGreaterThan(await count('share_codes'))
  expect(await commissionLedgerDiscrepancies(database.db)).toEqual([])
  const top = await advocateValues(database.db, { limit: 3 })
  expect(top[0]!.grossMarginFen).toBeGreaterThan(0)
  expect(top[0]!.grossMarginFen).toBeLessThan(top[0]!.revenueFen)
  expect((await superCommunicators(database.db, { threshold: 3 })).members.length).toBeGreaterThan(0)
})

it('running the referral demo again adds nothing twice', async () => {
  const before = await Promise.all(
    ['share_codes', 'referral_touches', 'promoters', 'commissions', 'withdrawals', 'survey_responses'].map(
      count,
    ),
  )
  await seedReferralDemo(database.db, now)
  const after = await Promise.all(
    ['share_codes', 'referral_touches', 'promoters', 'commissions', 'withdrawals', 'survey_responses'].map(
      count,
    ),
  )
  expect(after).toEqual(before)
})
