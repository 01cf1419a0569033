// Lotteries: entry costs (a free daily draw, earned draws, points), limits, the prize's stock with its
// fallback, every draw's random number recorded, prizes delivered (points, coupon, a gift order); on the
// PostgreSQL server concurrent draws never give out more of a prize than its stock, nor pass a limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { createCouponTemplate } from '../../shared/coupons/service'
import { memberCoupons } from '../../shared/db/schema/coupons'
import { grantPoints, pointsBalance } from '../../shared/points/ledger'
import { lotteryDraws, lotteryPrizes } from '../../shared/db/schema/lottery'
import {
  createLottery,
  drawLottery,
  grantLotteryDraws,
  lotteryAudit,
  lotteryForMember,
  RANDOM_SOURCE,
} from '../../shared/lottery/service'
import { placeOrder } from '../../shared/orders/checkout'
import { settleOrderPayment } from '../../shared/flows/order-paid'
import { defaultStoreRules } from '../../shared/orders/pricing'
import { orders } from '../../shared/db/schema/orders'
import { onPostgresServer, testDatabase } from '../support/db'
import { makeMember } from '../support/factories'
import { makeProduct, makeShopper } from '../support/store'

let database: Database
const clock = new VirtualClock('2026-11-11T02:00:00Z')

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
const window = () => ({
  startsAt: new Date(clock.now().getTime() - 60_000),
  endsAt: new Date(clock.now().getTime() + 30 * 86_400_000),
})

describe('lottery rules', () => {
  it('a free draw a day, then earned draws, then points; limits; every prize delivered; retries draw once', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 5900, stock: 10 })
    const template = await createCouponTemplate(database.db, {
      name: '满 100 减 20',
      kind: 'threshold',
      amountFen: 2000,
      thresholdFen: 10000,
      validDays: 30,
    })
    // Weights 1/2/3/4 over 10: random r picks 0 → points, 1–2 → coupon, 3–5 → gift, 6–9 → thanks.
    const lottery = await createLottery(database.db, {
      title: '双十一大转盘',
      freeDrawsPerDay: 1,
      pointsPerDraw: 10,
      dailyLimit: 3,
      ...window(),
      prizes: [
        { kind: 'points', name: '50 积分', weight: 1, points: 50 },
        { kind: 'coupon', name: '满减券', weight: 2, couponTemplateId: template.id, stock: 10 },
        { kind: 'gift', name: '旅行装', weight: 3, skuId, stock: 1 },
        { kind: 'thanks', name: '谢谢参与', weight: 4, isFallback: true },
      ],
    })
    const shopper = await makeShopper(database.db)
    const memberId = shopper.member.id
    await grantPoints(database.db, {
      memberId,
      amount: 15,
      sourceKey: 'test:lottery:seed',
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const draw = (requestId: string, r: number) =>
      drawLottery(database.db, {
        lotteryId: lottery.id,
        memberId,
        requestId,
        at: clock.now(),
        random: () => r,
      })

    const first = await draw('r1', 0)
    expect(first).toMatchObject({ duplicate: false, prize: { kind: 'points' } })
    expect(first.draw).toMatchObject({
      entry: 'free',
      random: 0,
      randomRange: 10,
      randomSource: RANDOM_SOURCE,
    })
    expect(await pointsBalance(database.db, memberId, clock.now())).toBe(65)
    expect((await draw('r1', 5)).duplicate).toBe(true)

    await grantLotteryDraws(database.db, {
      lotteryId: lottery.id,
      memberId,
      draws: 1,
      sourceKey: 'task:share:lottery',
      reason: '分享任务',
      at: clock.now(),
    })
    expect(
      (
        await grantLotteryDraws(database.db, {
          lotteryId: lottery.id,
          memberId,
          draws: 1,
          sourceKey: 'task:share:lottery',
          reason: '分享任务',
          at: clock.now(),
        })
      ).duplicate,
    ).toBe(true)
    const second = await draw('r2', 1)
    expect(second.draw).toMatchObject({ entry: 'earned', pointsSpent: 0 })
    const [coupon] = await database.db
      .select()
      .from(memberCoupons)
      .where(eq(memberCoupons.id, second.draw.couponId!))
    expect(coupon).toMatchObject({ memberId, templateId: template.id, source: 'lottery' })

    const third = await draw('r3', 3)
    expect(third.draw).toMatchObject({ entry: 'points', pointsSpent: 10 })
    expect(await pointsBalance(database.db, memberId, clock.now())).toBe(55)
    const [gift] = await database.db.select().from(orders).where(eq(orders.id, third.draw.orderId!))
    expect(gift).toMatchObject({ status: 'paid', payFen: 0, paidAt: null, memberId })
    expect(gift!.address?.name).toBe('王丽')

    expect(await code(draw('r4', 0))).toBe('lottery_daily_limit')
    const view = await lotteryForMember(database.db, lottery.id, memberId, clock.now())
    expect(view).toMatchObject({ drawsToday: 3, freeDrawsLeftToday: 0, next: 'daily_limit' })
    expect(view.prizes.map((p) => p.oddsPct)).toEqual([10, 20, 30, 40])
    expect(view.prizes[2]!.soldOut).toBe(true)

    // The next Shanghai day: a free draw again; the gift has run out, so landing on it gives the fallback.
    clock.advance(86_400_000)
    const next = await draw('r5', 4)
    expect(next.draw).toMatchObject({ entry: 'free' })
    expect(next.draw.drawnPrizeId).toBe(lottery.prizes[2]!.id)
    expect(next.prize.kind).toBe('thanks')

    const audit = await lotteryAudit(database.db, lottery.id)
    expect(audit.draws).toHaveLength(4)
    expect(audit.prizes.find((p) => p.kind === 'gift')).toMatchObject({ given: 1, stockLeft: 0 })
  })

  it('too few points for a draw: refused and nothing drawn; a lottery without a fallback prize: refused', async () => {
    const lottery = await createLottery(database.db, {
      title: '积分抽奖',
      freeDrawsPerDay: 0,
      pointsPerDraw: 100,
      ...window(),
      prizes: [{ kind: 'thanks', name: '谢谢参与', weight: 1, isFallback: true }],
    })
    const m = await makeMember(database.db)
    expect(
      await code(
        drawLottery(database.db, { lotteryId: lottery.id, memberId: m.id, requestId: 'a', at: clock.now() }),
      ),
    ).toBe('insufficient_points')
    const drawn = await database.db.select().from(lotteryDraws).where(eq(lotteryDraws.memberId, m.id))
    expect(drawn).toHaveLength(0)
    await expect(
      createLottery(database.db, {
        title: '没有兜底',
        ...window(),
        prizes: [{ kind: 'points', name: '积分', weight: 1, points: 5, stock: 3 }],
      }),
    ).rejects.toThrow(/兜底奖品/)
  })
})

describe('draws earned by orders', () => {
  it('a paid order earns the lottery’s draws once; a draw then uses one of them', async () => {
    const lottery = await createLottery(database.db, {
      title: '下单抽奖',
      freeDrawsPerDay: 0,
      drawsPerOrder: 2,
      ...window(),
      prizes: [{ kind: 'thanks', name: '谢谢参与', weight: 1, isFallback: true }],
    })
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 5000, stock: 5 })
    const { order } = await placeOrder(
      { db: database.db, clock, rules: defaultStoreRules },
      shopper.member.id,
      {
        items: [{ skuId, quantity: 1 }],
        addressId: shopper.addressId,
      },
    )
    const before = await lotteryForMember(database.db, lottery.id, shopper.member.id, clock.now())
    expect(before).toMatchObject({ earnedDrawsLeft: 0, next: 'no_draws_left' })
    await settleOrderPayment(database.db, {
      orderNo: order.orderNo,
      transactionId: null,
      paidAt: clock.now(),
    })
    await settleOrderPayment(database.db, {
      orderNo: order.orderNo,
      transactionId: null,
      paidAt: clock.now(),
    })
    expect(await lotteryForMember(database.db, lottery.id, shopper.member.id, clock.now())).toMatchObject({
      earnedDrawsLeft: 2,
      next: 'earned',
    })
    const r = await drawLottery(database.db, {
      lotteryId: lottery.id,
      memberId: shopper.member.id,
      requestId: 'order-draw',
      at: clock.now(),
    })
    expect(r.draw.entry).toBe('earned')
    expect(
      (await lotteryForMember(database.db, lottery.id, shopper.member.id, clock.now())).earnedDrawsLeft,
    ).toBe(1)
  })
})

describe.runIf(onPostgresServer())('on the PostgreSQL server', () => {
  it('200 members drawing at once never get more of a prize than its stock', async () => {
    const lottery = await createLottery(database.db, {
      title: '限量大奖',
      ...window(),
      prizes: [
        { kind: 'points', name: '1000 积分', weight: 99, points: 1000, stock: 5 },
        { kind: 'thanks', name: '谢谢参与', weight: 1, isFallback: true },
      ],
    })
    const drawers = await queryRows<{ id: number }>(
      database.db,
      sql`insert into members (name, source) select '抽奖用户' || g, 'test' from generate_series(1, 200) g returning id`,
    )
    const results = await Promise.all(
      drawers.map((m) =>
        drawLottery(database.db, { lotteryId: lottery.id, memberId: m.id, requestId: 'go', at: clock.now() }),
      ),
    )
    const big = lottery.prizes[0]!.id
    expect(results.filter((r) => r.prize.id === big)).toHaveLength(5)
    const [prize] = await database.db.select().from(lotteryPrizes).where(eq(lotteryPrizes.id, big))
    expect(prize!.stockLeft).toBe(0)
    const [given] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from points_entries where source_key like 'lottery:draw:%' and amount = 1000`,
    )
    expect(given!.n).toBe(5)
  })

  it('one member drawing ten times at once is held to the daily limit', async () => {
    const lottery = await createLottery(database.db, {
      title: '每日三次',
      freeDrawsPerDay: 10,
      dailyLimit: 3,
      ...window(),
      prizes: [{ kind: 'thanks', name: '谢谢参与', weight: 1, isFallback: true }],
    })
    const m = await makeMember(database.db)
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        code(
          drawLottery(database.db, {
            lotteryId: lottery.id,
            memberId: m.id,
            requestId: `q${i}`,
            at: clock.now(),
          }),
        ),
      ),
    )
    expect(results.filter((r) => r === 'ok')).toHaveLength(3)
    expect(results.filter((r) => r === 'lottery_daily_limit')).toHaveLength(7)
  })
})
