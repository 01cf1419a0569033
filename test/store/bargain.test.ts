// Bargains: an operator's campaign, a member's bargain, friends' cuts reaching the floor exactly at
// the last helper, the purchase at the price reached through checkout, the referral of new friends; on
// the PostgreSQL server, 100 friends helping at once are each counted once and the floor holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { skus } from '../../shared/db/schema/catalog'
import { bargainCampaigns, bargainHelps, bargains } from '../../shared/db/schema/bargain'
import {
  bargainView,
  createBargainCampaign,
  endBargainCampaign,
  startBargain,
} from '../../shared/bargain/service'
import { helpFriendsBargain } from '../../shared/flows/bargain-helped'
import { placeOrder } from '../../shared/orders/checkout'
import { cancelOrder } from '../../shared/orders/lifecycle'
import { defaultStoreRules } from '../../shared/orders/pricing'
import { referrals } from '../../shared/db/schema/referral'
import { onPostgresServer, testDatabase } from '../support/db'
import { makeMember } from '../support/factories'
import { makeProduct, makeShopper } from '../support/store'

let database: Database
const clock = new VirtualClock(new Date())
const deps = () => ({ db: database.db, clock, rules: defaultStoreRules })

beforeAll(async () => {
  database = await testDatabase({ poolMax: 20 })
})
afterAll(async () => {
  await database.close()
})

const code = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof DomainError) return err.code
    throw err
  }
}

async function campaign(input: { helpersNeeded: number; floorPriceFen?: number; totalStock?: number }) {
  const { skuId } = await makeProduct(database.db, { priceFen: 19900, stock: 50 })
  const c = await createBargainCampaign(database.db, {
    skuId,
    title: '好友帮砍 0 元拿',
    floorPriceFen: input.floorPriceFen ?? 100,
    helpersNeeded: input.helpersNeeded,
    totalStock: input.totalStock ?? 5,
    startsAt: new Date(clock.now().getTime() - 60_000),
    endsAt: new Date(clock.now().getTime() + 7 * 86_400_000),
  })
  return { skuId, campaignId: c.id }
}

describe('bargain rules', () => {
  it('friends cut once each to the floor at the last helper; the starter buys at the price reached', async () => {
    const { skuId, campaignId } = await campaign({ helpersNeeded: 3, totalStock: 2 })
    const [sku] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(sku!.stock).toBe(48)
    const starter = await makeShopper(database.db)
    const b = await startBargain(database.db, { campaignId, memberId: starter.member.id, at: clock.now() })
    expect(b).toMatchObject({ priceFen: 19900, floorPriceFen: 100, status: 'open' })
    // Starting again answers the same bargain.
    expect(
      (await startBargain(database.db, { campaignId, memberId: starter.member.id, at: clock.now() })).id,
    ).toBe(b.id)
    expect(
      await code(
        helpFriendsBargain(database.db, { bargainId: b.id, helperId: starter.member.id, at: clock.now() }),
      ),
    ).toBe('bargain_own')
    const friends = [
      await makeMember(database.db),
      await makeMember(database.db),
      await makeMember(database.db),
    ]
    const cuts: number[] = []
    for (const f of friends) {
      const r = await helpFriendsBargain(database.db, { bargainId: b.id, helperId: f.id, at: clock.now() })
      cuts.push(r.help.cutFen)
      expect(r.referral).toBe('attributed')
    }
    expect(cuts.reduce((a, c) => a + c, 0)).toBe(19900 - 100)
    expect(
      await code(
        helpFriendsBargain(database.db, { bargainId: b.id, helperId: friends[0]!.id, at: clock.now() }),
      ),
    ).toBe('bargain_already_helped')
    const late = await makeMember(database.db)
    expect(
      await code(helpFriendsBargain(database.db, { bargainId: b.id, helperId: late.id, at: clock.now() })),
    ).toBe('bargain_closed')
    const view = await bargainView(database.db, b.id, starter.member.id, clock.now())
    expect(view).toMatchObject({
      status: 'reached',
      priceFen: 100,
      helpersCount: 3,
      canBuy: true,
      mine: true,
    })
    expect(view.helpers).toHaveLength(3)

    // Friends brought by the bargain are the starter's referrals.
    const refs = await database.db.select().from(referrals).where(eq(referrals.referrerId, starter.member.id))
    expect(refs.map((r) => r.refereeId).sort()).toEqual(friends.map((f) => f.id).sort())

    // The purchase: the reached price, no coupon on top, the campaign's unit held.
    const { order, quote } = await placeOrder(deps(), starter.member.id, {
      bargain: { bargainId: b.id },
      addressId: starter.addressId,
    })
    expect(quote.lines[0]).toMatchObject({ unitPriceFen: 100, priceSource: 'bargain', listPriceFen: 19900 })
    expect(order.itemsFen).toBe(100)
    expect(
      await code(
        placeOrder(deps(), starter.member.id, { bargain: { bargainId: b.id }, addressId: starter.addressId }),
      ),
    ).toBe('bargain_ordered')
    const [held] = await database.db
      .select()
      .from(bargainCampaigns)
      .where(eq(bargainCampaigns.id, campaignId))
    expect(held!.stockLeft).toBe(1)

    // Cancelled unpaid: the unit goes back to the campaign and the bargain can be bought again.
    await cancelOrder(database.db, order.id, 'payment_timeout', clock.now())
    const [back] = await database.db
      .select()
      .from(bargainCampaigns)
      .where(eq(bargainCampaigns.id, campaignId))
    expect(back!.stockLeft).toBe(2)
    const [again] = await database.db.select().from(bargains).where(eq(bargains.id, b.id))
    expect(again).toMatchObject({ status: 'reached', orderId: null })
    expect(
      await code(
        placeOrder(deps(), starter.member.id, { bargain: { bargainId: b.id }, addressId: starter.addressId }),
      ),
    ).toBe('ok')

    // Ending the campaign returns the units left to the SKU.
    await endBargainCampaign(database.db, campaignId, clock.now())
    const [after] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(after!.stock).toBe(49)
  })

  it('refuses what cannot work: a floor at or above the price, too little to cut, another member’s bargain', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 1000, stock: 10 })
    const base = {
      skuId,
      title: '砍价',
      totalStock: 1,
      startsAt: clock.now(),
      endsAt: new Date(clock.now().getTime() + 86_400_000),
    }
    expect(
      await code(createBargainCampaign(database.db, { ...base, floorPriceFen: 1000, helpersNeeded: 2 })),
    ).toBe('invalid_input')
    expect(
      await code(createBargainCampaign(database.db, { ...base, floorPriceFen: 995, helpersNeeded: 10 })),
    ).toBe('invalid_input')
    const { campaignId } = await campaign({ helpersNeeded: 2 })
    const a = await makeShopper(database.db)
    const other = await makeShopper(database.db)
    const b = await startBargain(database.db, { campaignId, memberId: a.member.id, at: clock.now() })
    expect(
      await code(
        placeOrder(deps(), other.member.id, { bargain: { bargainId: b.id }, addressId: other.addressId }),
      ),
    ).toBe('bargain_not_found')
  })
})

describe.runIf(onPostgresServer())('on the PostgreSQL server', () => {
  it('100 friends helping at once (each twice): each counted once, the floor reached exactly, never passed', async () => {
    const { campaignId } = await campaign({ helpersNeeded: 60, floorPriceFen: 500 })
    const starter = await makeShopper(database.db)
    const b = await startBargain(database.db, { campaignId, memberId: starter.member.id, at: clock.now() })
    const friends = await queryRows<{ id: number }>(
      database.db,
      sql`insert into members (name, source) select '好友' || g, 'test' from generate_series(1, 100) g returning id`,
    )
    const results = await Promise.all(
      friends
        .flatMap((f) => [f.id, f.id])
        .map((helperId) =>
          code(helpFriendsBargain(database.db, { bargainId: b.id, helperId, at: clock.now() })),
        ),
    )
    const tally = results.reduce<Record<string, number>>((t, r) => ({ ...t, [r]: (t[r] ?? 0) + 1 }), {})
    expect(tally.ok).toBe(60)
    expect((tally.bargain_closed ?? 0) + (tally.bargain_already_helped ?? 0)).toBe(140)
    const helps = await database.db.select().from(bargainHelps).where(eq(bargainHelps.bargainId, b.id))
    expect(helps).toHaveLength(60)
    expect(new Set(helps.map((h) => h.helperId)).size).toBe(60)
    expect(helps.reduce((a, h) => a + h.cutFen, 0)).toBe(19900 - 500)
    const [done] = await database.db.select().from(bargains).where(eq(bargains.id, b.id))
    expect(done).toMatchObject({ priceFen: 500, helpersCount: 60, status: 'reached' })
  })

  it('100 friends of a bargain that needs all 100: every one counted', async () => {
    const { campaignId } = await campaign({ helpersNeeded: 100, floorPriceFen: 900 })
    const starter = await makeShopper(database.db)
    const b = await startBargain(database.db, { campaignId, memberId: starter.member.id, at: clock.now() })
    const friends = await queryRows<{ id: number }>(
      database.db,
      sql`insert into members (name, source) select '好友' || g, 'test' from generate_series(1, 100) g returning id`,
    )
    const results = await Promise.all(
      friends.map((f) =>
        code(helpFriendsBargain(database.db, { bargainId: b.id, helperId: f.id, at: clock.now() })),
      ),
    )
    expect(results.every((r) => r === 'ok')).toBe(true)
    const [done] = await database.db.select().from(bargains).where(eq(bargains.id, b.id))
    expect(done).toMatchObject({ priceFen: 900, helpersCount: 100, status: 'reached' })
  })
})
