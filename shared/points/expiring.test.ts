// Points lapsing soon, per member: only open grants that expire inside the window count, most first,
// with the totals over every member however the list is paged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { expiringSoon } from './history'
import { grantPoints, spendPoints } from './ledger'

let database: Database
const at = new Date('2026-06-01T04:00:00Z')
const days = (n: number) => new Date(at.getTime() + n * 86_400_000)
const ids: number[] = []

beforeAll(async () => {
  database = await testDatabase()
  for (let i = 0; i < 3; i++) ids.push((await makeMember(database.db)).id)
  const grant = (memberId: number, amount: number, expiresAt: Date | null, key: string) =>
    grantPoints(database.db, { memberId, amount, sourceKey: key, reason: 'x', at, expiresAt })
  await grant(ids[0]!, 100, days(10), 'a1')
  await grant(ids[0]!, 50, days(40), 'a2')
  await grant(ids[1]!, 300, days(29), 'b1')
  await grant(ids[2]!, 80, days(5), 'c1')
  await grant(ids[2]!, 500, null, 'c2')
  // Spending takes the soonest grant first: 30 of member 3's 80 are gone.
  await spendPoints(database.db, { memberId: ids[2]!, amount: 30, sourceKey: 'c-spend', reason: 'y', at })
})
afterAll(async () => {
  await database.close()
})

describe('points expiring soon', () => {
  it('sums what is left of the grants lapsing within the window, per member, most first', async () => {
    const r = await expiringSoon(database.db, at, { days: 30, limit: 10, offset: 0 })
    expect(r.members).toBe(3)
    expect(r.points).toBe(100 + 300 + 50)
    expect(r.items.map((i) => [i.memberId, i.points])).toEqual([
      [ids[1], 300],
      [ids[0], 100],
      [ids[2], 50],
    ])
    expect(r.items[2]!.soonestAt).toBe(days(5).toISOString())
  })

  it('keeps the totals on a page past the end', async () => {
    const r = await expiringSoon(database.db, at, { days: 30, limit: 2, offset: 4 })
    expect(r.items).toEqual([])
    expect(r.members).toBe(3)
    expect(r.points).toBe(450)
  })
})
