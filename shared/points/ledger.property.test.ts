// Property: for any sequence of earn / spend / expire / reverse / merge on two members, every balance
// equals the sum of its ledger entries and of its open grants, never goes below zero, and each grant's
// unspent remainder is exactly what a model that spends (and expires) the soonest-expiring grants first
// predicts.
import { afterAll, beforeAll, expect, it } from 'vitest'
import fc from 'fast-check'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { expireDuePoints, grantPoints, mergePointsAccounts, reverseGrant, spendPoints } from './ledger'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

const DAY = 86_400_000

type Op =
  | { op: 'earn'; who: 0 | 1; amount: number; days: number | null }
  | { op: 'spend'; who: 0 | 1; amount: number }
  | { op: 'advance'; days: number }
  | { op: 'reverse'; pick: number }
  | { op: 'merge' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('earn' as const),
      who: fc.constantFrom(0 as const, 1 as const),
      amount: fc.integer({ min: 1, max: 300 }),
      days: fc.option(fc.integer({ min: 1, max: 60 }), { freq: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('spend' as const),
      who: fc.constantFrom(0 as const, 1 as const),
      amount: fc.integer({ min: 1, max: 400 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 45 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reverse' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'merge' as const }) },
)

interface ModelGrant {
  key: string
  who: 0 | 1
  amount: number
  remaining: number
  expiresAt: number | null
  seq: number
  expired: number
  reversed: boolean
}

class Model {
  grants: ModelGrant[] = []
  merged = false
  constructor(public now: number) {}
  owner(who: 0 | 1): 0 | 1 {
    return this.merged ? 0 : who
  }
  balance(who: 0 | 1) {
    return this.grants.filter((g) => g.who === who).reduce((s, g) => s + g.remaining, 0)
  }
  expireDue(who: 0 | 1) {
    for (const g of this.grants)
      if (g.who === who && g.remaining > 0 && g.expiresAt !== null && g.expiresAt <= this.now) {
        g.expired = g.remaining
        g.remaining = 0
      }
  }
  consume(who: 0 | 1, amount: number) {
    const open = this.grants
      .filter((g) => g.who === who && g.remaining > 0)
      .sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.seq - b.seq)
    let left = amount
    for (const g of open) {
      const take = Math.min(left, g.remaining)
      g.remaining -= take
      left -= take
    }
    expect(left).toBe(0)
  }
  snapshot() {
    return this.grants.map((g) => ({ ...g }))
  }
}

let run = 0

it('the ledger always adds up, never goes below zero, and spends and expires soonest-expiring first', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 18 }), async (ops) => {
      run++
      const ids = [(await makeMember(database.db)).id, (await makeMember(database.db)).id] as const
      // Each run lives in its own stretch of time, after every earlier run's grants have expired.
      const model = new Model(Date.UTC(2030, 0, 1) + run * 3 * 365 * DAY)
      const at = () => new Date(model.now)
      let seq = 0
      for (const step of ops) {
        if (step.op === 'earn') {
          const who = model.owner(step.who)
          const key = `p${run}:g${++seq}`
          const expiresAt = step.days === null ? null : model.now + step.days * DAY
          await grantPoints(database.db, {
            memberId: ids[who],
            amount: step.amount,
            sourceKey: key,
            reason: '消费',
            at: at(),
            expiresAt: expiresAt === null ? null : new Date(expiresAt),
          })
          model.grants.push({
            key,
            who,
            amount: step.amount,
            remaining: step.amount,
            expiresAt,
            seq,
            expired: 0,
            reversed: false,
          })
        } else if (step.op === 'spend') {
          const who = model.owner(step.who)
          const trial = new Model(model.now)
          trial.grants = model.snapshot()
          trial.expireDue(who)
          const ok = trial.balance(who) >= step.amount
          const result = spendPoints(database.db, {
            memberId: ids[who],
            amount: step.amount,
            sourceKey: `p${run}:s${++seq}`,
            reason: '兑换',
            at: at(),
          })
          if (ok) {
            await result
            trial.consume(who, step.amount)
            model.grants = trial.grants
          } else await expect(result).rejects.toMatchObject({ code: 'insufficient_points' })
        } else if (step.op === 'advance') {
          model.now += step.days * DAY
          await expireDuePoints(database.db, at())
          model.expireDue(0)
          model.expireDue(1)
        } else if (step.op === 'reverse') {
          if (model.grants.length === 0) continue
          const g = model.grants[step.pick % model.grants.length]!
          const r = await reverseGrant(database.db, {
            grantSourceKey: g.key,
            sourceKey: `${g.key}:refund`,
            reason: '退款',
            at: at(),
          })
          if (g.reversed) {
            expect(r.duplicate).toBe(true)
            continue
          }
          model.expireDue(g.who)
          const fromGrant = g.remaining
          const spent = g.amount - fromGrant - g.expired
          const fromOthers = Math.max(0, Math.min(spent, model.balance(g.who) - fromGrant))
          expect(r.shortfall).toBe(spent - fromOthers)
          if (fromGrant + fromOthers > 0) {
            g.remaining = 0
            model.consume(g.who, fromOthers)
            g.reversed = true
          }
        } else {
          if (model.merged) continue
          const before = (await balances(ids)).reduce((s, b) => s + b, 0)
          const r = await mergePointsAccounts(database.db, { survivorId: ids[0], mergedId: ids[1], at: at() })
          expect(r.balance).toBe(before)
          for (const g of model.grants) g.who = 0
          model.merged = true
        }
        await expectAgrees(ids, model)
      }
    }),
    { numRuns: process.env.TEST_DATABASE_URL ? 60 : 25 },
  )
})

async function balances(ids: readonly [number, number]) {
  const rows = await queryRows<{ member_id: number; balance: number }>(
    database.db,
    sql`select member_id, balance from points_accounts where member_id in (${ids[0]}, ${ids[1]})`,
  )
  return ids.map((id) => rows.find((r) => r.member_id === id)?.balance ?? 0)
}

async function expectAgrees(ids: readonly [number, number], model: Model) {
  const rows = await queryRows<{
    member_id: number
    source_key: string
    amount: number
    remaining: number | null
  }>(
    database.db,
    sql`select member_id, source_key, amount, remaining from points_entries where member_id in (${ids[0]}, ${ids[1]})`,
  )
  const bal = await balances(ids)
  for (const who of [0, 1] as const) {
    const mine = rows.filter((r) => r.member_id === ids[who])
    const sum = mine.reduce((s, r) => s + r.amount, 0)
    const open = mine.reduce((s, r) => s + (r.remaining ?? 0), 0)
    expect(bal[who]).toBeGreaterThanOrEqual(0)
    expect(bal[who]).toBe(sum)
    expect(open).toBe(sum)
    expect(bal[who]).toBe(model.balance(who))
  }
  const remaining = Object.fromEntries(
    rows.filter((r) => r.amount > 0).map((r) => [r.source_key, [r.member_id, r.remaining]]),
  )
  for (const g of model.grants) expect(remaining[g.key]).toEqual([ids[g.who], g.remaining])
}
