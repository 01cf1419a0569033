import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { onPostgresServer, testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { redemptions, rewards } from '../db/schema/loyalty'
import { cancelRedemption, createReward, fulfilRedemption, memberCatalogue, redeemReward } from './catalogue'
import { grantPoints, pointsBalance } from '../points/ledger'

let database: Database
const at = new Date('2026-06-01T04:00:00Z')
let seq = 0

beforeAll(async () => {
  database = await testDatabase({ poolMax: 60 })
})
afterAll(async () => {
  await database.close()
})

async function memberWith(points: number) {
  const m = await makeMember(database.db)
  if (points > 0)
    await grantPoints(database.db, {
      memberId: m.id,
      amount: points,
      sourceKey: `seed:${m.id}`,
      reason: '测试',
      at,
      expiresAt: null,
    })
  return m.id
}

const gift = (stock: number | null, cost = 100, perMemberLimit: number | null = null) =>
  createReward(database.db, {
    code: `gift-${++seq}`,
    name: `测试礼品${seq}`,
    kind: 'gift',
    pointsCost: cost,
    stock,
    perMemberLimit,
    args: { delivery: 'mail' },
  })

const ledgerAddsUp = async (memberId: number) => {
  const [row] = await queryRows<{ sum: number; balance: number }>(
    database.db,
    sql`select coalesce(sum(amount), 0)::int sum, (select balance from points_accounts where member_id = ${memberId}) balance
        from points_entries where member_id = ${memberId}`,
  )
  expect(row!.balance).toBe(row!.sum)
  return row!.balance
}

describe('redemption', () => {
  it('takes points and stock together, once per client request id', async () => {
    const member = await memberWith(250)
    const reward = await gift(3)
    const first = await redeemReward(
      database.db,
      { memberId: member, rewardId: reward.id, requestId: 'req-aaaa-1' },
      at,
    )
    const again = await redeemReward(
      database.db,
      { memberId: member, rewardId: reward.id, requestId: 'req-aaaa-1' },
      at,
    )
    expect(first.duplicate).toBe(false)
    expect(again).toMatchObject({ duplicate: true, redemption: { id: first.redemption.id } })
    expect(await ledgerAddsUp(member)).toBe(150)
    const [r] = await database.db.select().from(rewards).where(eq(rewards.id, reward.id))
    expect(r!.stock).toBe(2)
  })

  it('a short balance leaves the stock untouched; sold out leaves the points untouched', async () => {
    const poor = await memberWith(50)
    const reward = await gift(1)
    await expect(
      redeemReward(database.db, { memberId: poor, rewardId: reward.id, requestId: 'req-poor-1' }, at),
    ).rejects.toMatchObject({ code: 'insufficient_points', status: 409 })
    expect((await database.db.select().from(rewards).where(eq(rewards.id, reward.id)))[0]!.stock).toBe(1)

    const rich = await memberWith(500)
    await redeemReward(database.db, { memberId: rich, rewardId: reward.id, requestId: 'req-rich-1' }, at)
    await expect(
      redeemReward(database.db, { memberId: rich, rewardId: reward.id, requestId: 'req-rich-2' }, at),
    ).rejects.toMatchObject({ code: 'reward_out_of_stock', status: 409 })
    expect(await ledgerAddsUp(rich)).toBe(400)
  })

  it('keeps to the per-member limit and refuses a request id reused for another reward', async () => {
    const member = await memberWith(1000)
    const once = await gift(null, 100, 1)
    const other = await gift(null)
    await redeemReward(database.db, { memberId: member, rewardId: once.id, requestId: 'req-lim-1' }, at)
    await expect(
      redeemReward(database.db, { memberId: member, rewardId: once.id, requestId: 'req-lim-2' }, at),
    ).rejects.toMatchObject({ code: 'redemption_limit_reached' })
    await expect(
      redeemReward(database.db, { memberId: member, rewardId: other.id, requestId: 'req-lim-1' }, at),
    ).rejects.toMatchObject({ code: 'request_id_reused' })
    const catalogue = await memberCatalogue(database.db, member, at)
    expect(catalogue.items.find((i) => i.id === once.id)!.unavailable).toBe('已达兑换上限')
  })

  it('a voucher carries a reference code for the store; cancelling gives points and stock back', async () => {
    const member = await memberWith(5000)
    const voucher = await createReward(database.db, {
      code: 'voucher-test',
      name: '¥20 券',
      kind: 'voucher',
      pointsCost: 2000,
      stock: 10,
      args: { faceValueFen: 2000, minSpendFen: 0, validDays: 30 },
    })
    const r = await redeemReward(
      database.db,
      { memberId: member, rewardId: voucher.id, requestId: 'req-v-0001' },
      at,
    )
    expect(r.redemption.voucherCode).toMatch(/^V[A-Z2-9]{10}$/)
    expect(r.redemption.expiresAt).toEqual(new Date('2026-07-01T04:00:00Z'))
    await cancelRedemption(database.db, r.redemption.id, '会员申请取消', at)
    expect(await pointsBalance(database.db, member, at)).toBe(5000)
    expect((await database.db.select().from(rewards).where(eq(rewards.id, voucher.id)))[0]!.stock).toBe(10)
    await expect(
      fulfilRedemption(database.db, { voucherCode: r.redemption.voucherCode! }, at),
    ).rejects.toMatchObject({
      code: 'redemption_not_issued',
    })
    const r2 = await redeemReward(
      database.db,
      { memberId: member, rewardId: voucher.id, requestId: 'req-v-0002' },
      at,
    )
    expect(
      (await fulfilRedemption(database.db, { voucherCode: r2.redemption.voucherCode! }, at)).status,
    ).toBe('fulfilled')
  })

  it.runIf(onPostgresServer())(
    '50 concurrent redemptions of 100 points on a balance of 1,000: exactly 10 succeed',
    async () => {
      const member = await memberWith(1000)
      const reward = await gift(null)
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          redeemReward(
            database.db,
            { memberId: member, rewardId: reward.id, requestId: `req-c-${i}-xxxx` },
            at,
          ),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : []))
      expect(new Set(reasons)).toEqual(new Set(['insufficient_points']))
      expect(await ledgerAddsUp(member)).toBe(0)
      expect(
        (
          await database.db.select({ n: count() }).from(redemptions).where(eq(redemptions.memberId, member))
        )[0]!.n,
      ).toBe(10)
    },
  )

  it.runIf(onPostgresServer())(
    '30 members racing for 5 gifts: exactly 5 get one, nobody pays for nothing',
    async () => {
      const reward = await gift(5)
      const racers = await Promise.all(Array.from({ length: 30 }, () => memberWith(100)))
      const results = await Promise.allSettled(
        racers.map((m) =>
          redeemReward(database.db, { memberId: m, rewardId: reward.id, requestId: `race-${m}-xxxx` }, at),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
      expect((await database.db.select().from(rewards).where(eq(rewards.id, reward.id)))[0]!.stock).toBe(0)
      const balances = await Promise.all(racers.map((m) => ledgerAddsUp(m)))
      expect(balances.filter((b) => b === 0)).toHaveLength(5)
      expect(balances.filter((b) => b === 100)).toHaveLength(25)
    },
  )

  it.runIf(onPostgresServer())('the same request retried 10 times concurrently redeems once', async () => {
    const member = await memberWith(1000)
    const reward = await gift(10)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        redeemReward(database.db, { memberId: member, rewardId: reward.id, requestId: 'same-request-1' }, at),
      ),
    )
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(await ledgerAddsUp(member)).toBe(900)
    expect((await database.db.select().from(rewards).where(eq(rewards.id, reward.id)))[0]!.stock).toBe(9)
  })
})
