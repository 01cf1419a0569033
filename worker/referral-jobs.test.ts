// The referral jobs through the scheduler: commission thaws when the return window closes, and the
// referral statistics are rebuilt.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { testDatabase } from '../test/support/db'
import { silentLogger } from '../test/support/config'
import { makeMember } from '../test/support/factories'
import { makePaidOrder, makeSku, setJoinedAt } from '../test/support/referral-fixtures'
import { attributeNewMember } from '../shared/referral/attribution'
import { shareCodeOf } from '../shared/referral/share-codes'
import { enrolPromoter, savePromoterLevel } from '../shared/referral/promoters'
import { onReferredOrderPaid } from '../shared/referral/order-attribution'
import { commissionBalanceOf } from '../shared/referral/commission-ledger'
import { superCommunicators } from '../shared/referral/stats'
import { Scheduler } from './scheduler'
import { jobs } from './jobs'

let database: Database
const T0 = new Date('2026-08-01T02:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('commission-release thaws commission once the return window has closed; referral-stats rebuilds the counts', async () => {
  const db = database.db
  await savePromoterLevel(db, {
    code: 'basic',
    name: '推广员',
    rank: 1,
    tier1Rule: { code: 'fixed_per_order', args: { amountFen: 800 } },
    isDefault: true,
  })
  const sharer = await makeMember(db)
  const friend = await makeMember(db)
  await setJoinedAt(db, friend.id, T0)
  const { promoter } = await enrolPromoter(db, { memberId: sharer.id }, { at: T0 })
  await attributeNewMember(db, {
    refereeId: friend.id,
    code: (await shareCodeOf(db, { memberId: sharer.id })).code,
    at: T0,
  })
  const sku = await makeSku(db, { priceFen: 5_000, costFen: 2_000 })
  const order = await makePaidOrder(db, { memberId: friend.id, lines: [{ sku, quantity: 1 }], at: T0 })
  await onReferredOrderPaid(db, order.id, T0)

  const clock = new VirtualClock(new Date(T0.getTime() + 14 * 86_400_000))
  const scheduler = new Scheduler({ db, clock, logger: silentLogger(), owner: 'w' }, jobs)
  const release = jobs.find((j) => j.name === 'commission-release')!
  expect(await scheduler.runOnce(release, 'day-14')).toBe('succeeded')
  expect(await commissionBalanceOf(db, promoter.id)).toMatchObject({ frozenFen: 800, availableFen: 0 })
  clock.advance(86_400_000)
  expect(await scheduler.runOnce(release, 'day-15')).toBe('succeeded')
  expect(await commissionBalanceOf(db, promoter.id)).toMatchObject({ frozenFen: 0, availableFen: 800 })

  expect(
    await scheduler.runOnce(
      jobs.find((j) => j.name === 'referral-stats')!,
      'hour-1',
    ),
  ).toBe('succeeded')
  const list = await superCommunicators(db, { threshold: 1 })
  expect(list.members.map((m) => [m.memberId, m.directCount])).toEqual([[sharer.id, 1]])
  expect(list.refreshedAt?.toISOString()).toBe(clock.now().toISOString())
})
