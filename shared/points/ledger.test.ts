import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase, onPostgresServer } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { pointsEntries } from '../db/schema/loyalty'
import { expireDuePoints, grantPoints, pointsBalance, reverseGrant, spendPoints } from './ledger'

let database: Database
beforeAll(async () => {
  database = await testDatabase({ poolMax: 60 })
})
afterAll(async () => {
  await database.close()
})

const t = (iso: string) => new Date(iso)
const ledgerAddsUp = async (memberId: number) => {
  const [row] = await queryRows<{ sum: number; open: number; balance: number }>(
    database.db,
    sql`select coalesce(sum(amount), 0)::int sum, coalesce(sum(remaining) filter (where remaining > 0), 0)::int open,
               (select balance from points_accounts where member_id = ${memberId}) balance
        from points_entries where member_id = ${memberId}`,
  )
  expect(row!.balance).toBe(row!.sum)
  expect(row!.open).toBe(row!.sum)
  return row!.balance
}

describe('points ledger', () => {
  it('credits a source once, however often it is retried', async () => {
    const m = await makeMember(database.db)
    const input = {
      memberId: m.id,
      amount: 100,
      sourceKey: `order:${m.id}:earn`,
      reason: '消费',
      at: t('2026-01-01T00:00:00Z'),
      expiresAt: null,
    }
    const first = await grantPoints(database.db, input)
    const again = await grantPoints(database.db, input)
    expect(first.duplicate).toBe(false)
    expect(again.duplicate).toBe(true)
    expect(await ledgerAddsUp(m.id)).toBe(100)
  })

  it('spends the soonest-expiring grants first and refuses to overspend', async () => {
    const m = await makeMember(database.db)
    const at = t('2026-03-01T00:00:00Z')
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 50,
      sourceKey: `late:${m.id}`,
      reason: 'a',
      at,
      expiresAt: t('2027-12-31T16:00:00Z'),
    })
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 30,
      sourceKey: `soon:${m.id}`,
      reason: 'b',
      at,
      expiresAt: t('2026-06-30T16:00:00Z'),
    })
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 20,
      sourceKey: `never:${m.id}`,
      reason: 'c',
      at,
      expiresAt: null,
    })
    await spendPoints(database.db, {
      memberId: m.id,
      amount: 40,
      sourceKey: `spend1:${m.id}`,
      reason: '兑换',
      at,
    })
    const grants = await database.db.select().from(pointsEntries).where(eq(pointsEntries.memberId, m.id))
    const rem = Object.fromEntries(
      grants.filter((g) => g.amount > 0).map((g) => [g.sourceKey.split(':')[0], g.remaining]),
    )
    expect(rem).toEqual({ soon: 0, late: 40, never: 20 })
    await expect(
      spendPoints(database.db, {
        memberId: m.id,
        amount: 61,
        sourceKey: `spend2:${m.id}`,
        reason: '兑换',
        at,
      }),
    ).rejects.toMatchObject({
      code: 'insufficient_points',
      status: 409,
    })
    expect(await ledgerAddsUp(m.id)).toBe(60)
  })

  it('expires each grant on its own date, before a spend can use it', async () => {
    const m = await makeMember(database.db)
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 70,
      sourceKey: `g1:${m.id}`,
      reason: 'a',
      at: t('2025-01-01T00:00:00Z'),
      expiresAt: t('2026-01-01T00:00:00Z'),
    })
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 10,
      sourceKey: `g2:${m.id}`,
      reason: 'b',
      at: t('2025-06-01T00:00:00Z'),
      expiresAt: t('2027-01-01T00:00:00Z'),
    })
    await expect(
      spendPoints(database.db, {
        memberId: m.id,
        amount: 20,
        sourceKey: `s:${m.id}`,
        reason: 'x',
        at: t('2026-02-01T00:00:00Z'),
      }),
    ).rejects.toMatchObject({ code: 'insufficient_points' })
    expect(await pointsBalance(database.db, m.id, t('2026-02-01T00:00:00Z'))).toBe(10)
    expect(await ledgerAddsUp(m.id)).toBe(80) // the refused spend changed nothing; the job has not run yet
    await expireDuePoints(database.db, t('2026-02-01T00:00:00Z'))
    expect(await ledgerAddsUp(m.id)).toBe(10)
    await spendPoints(database.db, {
      memberId: m.id,
      amount: 10,
      sourceKey: `s2:${m.id}`,
      reason: 'x',
      at: t('2026-02-01T00:00:00Z'),
    })
    expect(await ledgerAddsUp(m.id)).toBe(0)
  })

  it('reverses a refunded grant, taking back what was spent from other points, never below zero', async () => {
    const m = await makeMember(database.db)
    const at = t('2026-05-01T00:00:00Z')
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 100,
      sourceKey: `order-a:${m.id}`,
      reason: 'a',
      at,
      expiresAt: null,
    })
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 30,
      sourceKey: `order-b:${m.id}`,
      reason: 'b',
      at,
      expiresAt: t('2026-12-31T00:00:00Z'),
    })
    await spendPoints(database.db, {
      memberId: m.id,
      amount: 110,
      sourceKey: `spend:${m.id}`,
      reason: 'x',
      at,
    })
    // order-b's 30 went first (sooner expiry), then 80 of order-a: 20 of order-a remain.
    const r = await reverseGrant(database.db, {
      grantSourceKey: `order-a:${m.id}`,
      sourceKey: `refund-a:${m.id}`,
      reason: '退款',
      at,
    })
    expect(r.entry.amount).toBe(-20)
    expect(r.shortfall).toBe(80)
    expect(r.balance).toBe(0)
    const again = await reverseGrant(database.db, {
      grantSourceKey: `order-a:${m.id}`,
      sourceKey: `refund-a:${m.id}`,
      reason: '退款',
      at,
    })
    expect(again.duplicate).toBe(true)
    expect(await ledgerAddsUp(m.id)).toBe(0)
  })

  it("a refunded grant that lapsed unused is not taken again from the member's other points", async () => {
    const m = await makeMember(database.db)
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 100,
      sourceKey: `lapsed:${m.id}`,
      reason: 'a',
      at: t('2026-01-01T00:00:00Z'),
      expiresAt: t('2026-02-01T00:00:00Z'),
    })
    await spendPoints(database.db, {
      memberId: m.id,
      amount: 40,
      sourceKey: `use:${m.id}`,
      reason: 'x',
      at: t('2026-01-10T00:00:00Z'),
    })
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 500,
      sourceKey: `later:${m.id}`,
      reason: 'b',
      at: t('2026-03-01T00:00:00Z'),
      expiresAt: null,
    })
    // 40 were spent, 60 lapsed: the refund takes back the 40 spent, not the 60 that expired.
    const r = await reverseGrant(database.db, {
      grantSourceKey: `lapsed:${m.id}`,
      sourceKey: `lapsed-refund:${m.id}`,
      reason: '退款',
      at: t('2026-03-02T00:00:00Z'),
    })
    expect(r.entry.amount).toBe(-40)
    expect(r.shortfall).toBe(0)
    expect(await ledgerAddsUp(m.id)).toBe(460)
  })

  it.runIf(onPostgresServer())('the same spend retried 10 times concurrently debits once', async () => {
    const m = await makeMember(database.db)
    const at = t('2026-05-01T00:00:00Z')
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 500,
      sourceKey: `pot:${m.id}`,
      reason: 'a',
      at,
      expiresAt: null,
    })
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        spendPoints(database.db, { memberId: m.id, amount: 100, sourceKey: `once:${m.id}`, reason: 'x', at }),
      ),
    )
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(await ledgerAddsUp(m.id)).toBe(400)
  })

  it.runIf(onPostgresServer())(
    '50 concurrent redemptions of 100 on a balance of 1,000: exactly 10 succeed',
    async () => {
      const m = await makeMember(database.db)
      const at = t('2026-05-01T00:00:00Z')
      await grantPoints(database.db, {
        memberId: m.id,
        amount: 1000,
        sourceKey: `big:${m.id}`,
        reason: 'a',
        at,
        expiresAt: null,
      })
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          spendPoints(database.db, {
            memberId: m.id,
            amount: 100,
            sourceKey: `r${i}:${m.id}`,
            reason: '兑换',
            at,
          }),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      expect(rejected.every((r) => r.reason.code === 'insufficient_points')).toBe(true)
      expect(await ledgerAddsUp(m.id)).toBe(0)
    },
  )

  it.runIf(onPostgresServer())('the same earn retried 20 times concurrently credits once', async () => {
    const m = await makeMember(database.db)
    const at = t('2026-05-01T00:00:00Z')
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        grantPoints(database.db, {
          memberId: m.id,
          amount: 88,
          sourceKey: `same:${m.id}`,
          reason: 'a',
          at,
          expiresAt: null,
        }),
      ),
    )
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(await ledgerAddsUp(m.id)).toBe(88)
  })
})
