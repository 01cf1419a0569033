// Distribution end to end on a real database: attribution → paid order → two tiers of frozen
// commission → return window → withdrawable → withdrawal states; refunds take commission back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { onPostgresServer, testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import {
  makePaidOrder,
  makeSku,
  refundOrder,
  setJoinedAt,
  type TestSku,
} from '../../test/support/referral-fixtures'
import { orders } from '../db/schema/orders'
import { pointsBalance } from '../points/ledger'
import { loadPointsPolicy, referralRebatePoints } from '../points/policy'
import { referralRebate } from '../flows/referral-rebate'
import { commissionEntries, withdrawals } from '../db/schema/referral'
import { attributeNewMember } from './attribution'
import { shareCodeOf } from './share-codes'
import { enrolPromoter, savePromoterLevel, updatePromoter } from './promoters'
import { attributeOrder, onReferredOrderPaid, onReferredOrderRefunded } from './order-attribution'
import { listCommissions, releaseFrozenCommissions } from './commissions'
import { commissionBalanceOf, commissionLedgerDiscrepancies } from './commission-ledger'
import { actOnWithdrawal, requestWithdrawal } from './withdrawals'
import { updateReferralSettings } from './settings'

let database: Database
let sku: TestSku
const T0 = new Date('2026-05-01T02:00:00Z')
const days = (d: number) => new Date(T0.getTime() + d * 86_400_000)

beforeAll(async () => {
  database = await testDatabase({ poolMax: 30 })
  sku = await makeSku(database.db, { priceFen: 10_000, costFen: 4_000 })
  // Gold: 10% of a direct sale, 3% of a sale one level down. Default level.
  await savePromoterLevel(database.db, {
    code: 'gold',
    name: '金牌推广员',
    rank: 2,
    tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 1000 } },
    tier2Rule: { code: 'percent_of_paid', args: { basisPoints: 300 } },
    isDefault: true,
  })
  await savePromoterLevel(database.db, {
    code: 'starter',
    name: '推广新人',
    rank: 1,
    tier1Rule: { code: 'fixed_per_order', args: { amountFen: 500 } },
    tier2Rule: null,
  })
  await updateReferralSettings(
    database.db,
    { returnWindowDays: 7, orderWindowDays: 30, commissionTiers: 2 },
    T0,
  )
})
afterAll(async () => {
  await database.close()
})

async function member(joinedAt = T0) {
  const m = await makeMember(database.db)
  await setJoinedAt(database.db, m.id, joinedAt)
  return m
}

/** grand → parent → buyer, with grand and parent enrolled as promoters. */
async function chain() {
  const grand = await member()
  const parent = await member()
  const buyer = await member()
  await attributeNewMember(database.db, {
    refereeId: parent.id,
    code: (await shareCodeOf(database.db, { memberId: grand.id })).code,
    at: T0,
  })
  await attributeNewMember(database.db, {
    refereeId: buyer.id,
    code: (await shareCodeOf(database.db, { memberId: parent.id })).code,
    at: T0,
  })
  const p1 = (await enrolPromoter(database.db, { memberId: parent.id }, { at: T0 })).promoter
  const p2 = (await enrolPromoter(database.db, { memberId: grand.id }, { at: T0 })).promoter
  return { grand, parent, buyer, p1, p2 }
}

describe('two-level commission', () => {
  it('accrues frozen, becomes withdrawable after the return window, and is paid out', async () => {
    const { parent, buyer, p1, p2 } = await chain()
    // 3 × ¥100 + ¥10 shipping: commission is on ¥300.
    const order = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 3 }],
      shippingFen: 1_000,
      at: days(2),
    })
    const paid = await onReferredOrderPaid(database.db, order.id, days(2))
    expect(paid.attribution?.broughtBy).toEqual({ memberId: parent.id, operatorId: null })
    expect(paid.commissions.map((c) => [c.tier, c.promoterId, c.amountFen, c.state])).toEqual([
      [1, p1.id, 3_000, 'frozen'],
      [2, p2.id, 900, 'frozen'],
    ])
    const [stored] = await database.db.select().from(orders).where(eq(orders.id, order.id))
    expect(stored!.referrerId).toBe(parent.id)

    // Paying twice (a retried callback) credits nothing more.
    expect((await onReferredOrderPaid(database.db, order.id, days(2))).commissions).toEqual([])
    expect(await commissionBalanceOf(database.db, p1.id)).toEqual({
      frozenFen: 3_000,
      availableFen: 0,
      withdrawingFen: 0,
      withdrawnFen: 0,
    })

    // Frozen: nothing to withdraw yet.
    await expect(
      requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 1_000, at: days(3) }),
    ).rejects.toMatchObject({
      code: 'insufficient_commission',
      status: 409,
    })

    // One day before the window closes nothing moves; at the close both tiers thaw.
    expect(await releaseFrozenCommissions(database.db, days(8.99))).toEqual({ commissions: 0, fen: 0 })
    const released = await releaseFrozenCommissions(database.db, days(9))
    expect(released.fen).toBeGreaterThanOrEqual(3_900)
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({ frozenFen: 0, availableFen: 3_000 })
    expect(await commissionBalanceOf(database.db, p2.id)).toMatchObject({ frozenFen: 0, availableFen: 900 })

    const w = await requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 2_000, at: days(10) })
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({
      availableFen: 1_000,
      withdrawingFen: 2_000,
    })
    await actOnWithdrawal(database.db, {
      withdrawalId: w.id,
      action: 'approve',
      at: days(10),
      operatorId: undefined,
    })
    await expect(
      actOnWithdrawal(database.db, { withdrawalId: w.id, action: 'cancel', at: days(10), promoterId: p1.id }),
    ).rejects.toMatchObject({ code: 'invalid_withdrawal_transition', status: 409 })
    const done = await actOnWithdrawal(database.db, {
      withdrawalId: w.id,
      action: 'pay',
      at: days(11),
      note: 'T123',
    })
    expect(done.state).toBe('paid')
    expect(await commissionBalanceOf(database.db, p1.id)).toEqual({
      frozenFen: 0,
      availableFen: 1_000,
      withdrawingFen: 0,
      withdrawnFen: 2_000,
    })

    // A rejected request gives the amount back.
    const w2 = await requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 1_000, at: days(12) })
    await actOnWithdrawal(database.db, {
      withdrawalId: w2.id,
      action: 'reject',
      at: days(12),
      note: '账户信息有误',
    })
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({
      availableFen: 1_000,
      withdrawingFen: 0,
    })
    expect(await commissionLedgerDiscrepancies(database.db)).toEqual([])
  })

  it('a refund inside the return window reverses the frozen commission; a partial one in proportion', async () => {
    const { buyer, p1, p2 } = await chain()
    const full = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(1),
    })
    const part = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 2 }],
      at: days(1),
    })
    await onReferredOrderPaid(database.db, full.id, days(1))
    await onReferredOrderPaid(database.db, part.id, days(1))
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({ frozenFen: 3_000 })

    await refundOrder(database.db, full.id, 10_000, days(2))
    const r1 = await onReferredOrderRefunded(database.db, full.id, days(2))
    expect(r1.reversals.map((r) => [r.tier, r.reversedFen, r.unrecoveredFen])).toEqual([
      [1, 1_000, 0],
      [2, 300, 0],
    ])
    // Half of the second order comes back: its ¥20 tier-1 commission drops to ¥10.
    await refundOrder(database.db, part.id, 10_000, days(3))
    await onReferredOrderRefunded(database.db, part.id, days(3))
    // Repeating the refund notice changes nothing.
    expect((await onReferredOrderRefunded(database.db, part.id, days(3))).reversals).toEqual([])
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({ frozenFen: 1_000 })
    expect(await commissionBalanceOf(database.db, p2.id)).toMatchObject({ frozenFen: 300 })

    const states = (await listCommissions(database.db, { promoterId: p1.id })).map((c) => [
      c.orderNo,
      c.state,
      c.reversedFen,
    ])
    expect(states).toContainEqual([full.orderNo, 'reversed', 1_000])
    expect(states).toContainEqual([part.orderNo, 'frozen', 1_000])

    await releaseFrozenCommissions(database.db, days(30))
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({ frozenFen: 0, availableFen: 1_000 })
    expect(await commissionLedgerDiscrepancies(database.db)).toEqual([])
  })

  it('a refund after release takes back what is still available and records the rest as unrecovered', async () => {
    const { buyer, p1 } = await chain()
    const order = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(1),
    })
    await onReferredOrderPaid(database.db, order.id, days(1))
    await releaseFrozenCommissions(database.db, days(9))
    const w = await requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 600, at: days(10) })
    await actOnWithdrawal(database.db, { withdrawalId: w.id, action: 'approve', at: days(10) })
    await actOnWithdrawal(database.db, { withdrawalId: w.id, action: 'pay', at: days(10) })
    await refundOrder(database.db, order.id, 10_000, days(11))
    const { reversals } = await onReferredOrderRefunded(database.db, order.id, days(11))
    expect(reversals.find((r) => r.tier === 1)).toMatchObject({ reversedFen: 1_000, unrecoveredFen: 600 })
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({
      availableFen: 0,
      withdrawnFen: 600,
    })
    expect(await commissionLedgerDiscrepancies(database.db)).toEqual([])
  })

  it('only orders within the window are credited; suspended promoters and levels without a tier-2 rule earn nothing', async () => {
    const { buyer, p1, p2 } = await chain()
    const late = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(31),
    })
    expect(await attributeOrder(database.db, late.id)).toBeNull()
    expect((await onReferredOrderPaid(database.db, late.id, days(31))).commissions).toEqual([])

    await updatePromoter(database.db, p1.id, { status: 'suspended' })
    await updatePromoter(database.db, p2.id, { levelCode: 'starter' })
    const order = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(5),
    })
    const paid = await onReferredOrderPaid(database.db, order.id, days(5))
    expect(paid.attribution).not.toBeNull()
    expect(paid.commissions).toEqual([])
  })

  it('with one tier configured only the direct referrer earns; a points rebate hook rewards the referrer', async () => {
    await updateReferralSettings(database.db, { commissionTiers: 1 }, T0)
    try {
      const { parent, buyer, p1 } = await chain()
      const order = await makePaidOrder(database.db, {
        memberId: buyer.id,
        lines: [{ sku, quantity: 1 }],
        at: days(1),
      })
      const hooks = { rebate: referralRebate }
      const paid = await onReferredOrderPaid(database.db, order.id, days(1), hooks)
      expect(paid.commissions.map((c) => [c.tier, c.promoterId])).toEqual([[1, p1.id]])
      const rebate = referralRebatePoints(await loadPointsPolicy(database.db), order.payFen)
      expect(rebate).toBeGreaterThan(0)
      expect(await pointsBalance(database.db, parent.id, days(1))).toBe(rebate)
      await refundOrder(database.db, order.id, 10_000, days(2))
      await onReferredOrderRefunded(database.db, order.id, days(2), hooks)
      expect(await pointsBalance(database.db, parent.id, days(2))).toBe(0)
    } finally {
      await updateReferralSettings(database.db, { commissionTiers: 2 }, T0)
    }
  })

  it('refuses withdrawals below the minimum, and a promoter cannot act on someone else’s withdrawal', async () => {
    const { p1, p2, buyer } = await chain()
    const order = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(1),
    })
    await onReferredOrderPaid(database.db, order.id, days(1))
    await releaseFrozenCommissions(database.db, days(9))
    await expect(
      requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 50, at: days(10) }),
    ).rejects.toMatchObject({
      code: 'withdrawal_too_small',
    })
    const w = await requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 500, at: days(10) })
    await expect(
      actOnWithdrawal(database.db, { withdrawalId: w.id, action: 'cancel', at: days(10), promoterId: p2.id }),
    ).rejects.toMatchObject({ code: 'withdrawal_not_found' })
    const cancelled = await actOnWithdrawal(database.db, {
      withdrawalId: w.id,
      action: 'cancel',
      at: days(10),
      promoterId: p1.id,
    })
    expect(cancelled.state).toBe('cancelled')
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({
      availableFen: 1_000,
      withdrawingFen: 0,
    })
  })
})

describe.runIf(onPostgresServer())('under concurrency (PostgreSQL server)', () => {
  it('concurrent withdrawal requests never take more than is available', async () => {
    const { buyer, p1 } = await chain()
    // ¥100 of available commission: ten ¥100 orders at 10%.
    for (let i = 0; i < 10; i++) {
      const o = await makePaidOrder(database.db, {
        memberId: buyer.id,
        lines: [{ sku, quantity: 1 }],
        at: days(1),
      })
      await onReferredOrderPaid(database.db, o.id, days(1))
    }
    await releaseFrozenCommissions(database.db, days(9))
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({ availableFen: 10_000 })

    // 40 requests of ¥30 at once: exactly three can be granted.
    const attempts = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 3_000, at: days(10) }),
      ),
    )
    const granted = attempts.filter((a) => a.status === 'fulfilled')
    const refused = attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[]
    expect(granted).toHaveLength(3)
    expect(refused.every((r) => (r.reason as { code?: string }).code === 'insufficient_commission')).toBe(
      true,
    )
    expect(await commissionBalanceOf(database.db, p1.id)).toMatchObject({
      availableFen: 1_000,
      withdrawingFen: 9_000,
    })
    const rows = await database.db.select().from(withdrawals).where(eq(withdrawals.promoterId, p1.id))
    expect(rows).toHaveLength(3)

    // Racing a refund reversal against withdrawals: the balance never goes below zero and the ledger adds up.
    const order = await makePaidOrder(database.db, {
      memberId: buyer.id,
      lines: [{ sku, quantity: 1 }],
      at: days(1),
    })
    await onReferredOrderPaid(database.db, order.id, days(1))
    await releaseFrozenCommissions(database.db, days(9))
    await refundOrder(database.db, order.id, 10_000, days(12))
    await Promise.allSettled([
      onReferredOrderRefunded(database.db, order.id, days(12)),
      ...Array.from({ length: 10 }, () =>
        requestWithdrawal(database.db, { promoterId: p1.id, amountFen: 500, at: days(12) }),
      ),
    ])
    const after = await commissionBalanceOf(database.db, p1.id)
    expect(after.availableFen).toBeGreaterThanOrEqual(0)
    expect(await commissionLedgerDiscrepancies(database.db)).toEqual([])
    const entries = await database.db
      .select()
      .from(commissionEntries)
      .where(eq(commissionEntries.promoterId, p1.id))
    expect(entries.reduce((s, e) => s + e.availableDelta, 0)).toBe(after.availableFen)
  })
})
