// Flash sales: the window, the per-member limit, limited stock; 500 concurrent buyers for 50 units on
// the PostgreSQL server give exactly 50 orders; expired unpaid orders give their units back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { skus } from '../../shared/db/schema/catalog'
import { createFlashSale, endFlashSale } from '../../shared/marketing/flash-sale'
import { flashSales } from '../../shared/db/schema/marketing'
import { placeOrder } from '../../shared/orders/checkout'
import { cancelOrder } from '../../shared/orders/lifecycle'
import { defaultStoreRules } from '../../shared/orders/pricing'
import { orders } from '../../shared/db/schema/orders'
import { onPostgresServer, testDatabase } from '../support/db'
import { makeProduct, makeShopper } from '../support/store'

let database: Database
const clock = new VirtualClock('2026-11-11T00:00:00Z')
const deps = () => ({ db: database.db, clock, rules: defaultStoreRules })

beforeAll(async () => {
  database = await testDatabase({ poolMax: 20 })
})
afterAll(async () => {
  await database.close()
})

async function sale(units: number, perMemberLimit = 1, stock = units + 10) {
  const { skuId } = await makeProduct(database.db, { priceFen: 26900, stock })
  const f = await createFlashSale(database.db, {
    skuId,
    title: '双十一秒杀',
    priceFen: 9900,
    totalStock: units,
    perMemberLimit,
    startsAt: new Date(clock.now().getTime() - 60_000),
    endsAt: new Date(clock.now().getTime() + 3600_000),
  })
  return { skuId, flashSaleId: f.id }
}

const code = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof DomainError) return err.code
    throw err
  }
}

describe('flash sale rules', () => {
  it('takes its units out of the SKU, charges the sale price, holds the per-member limit and refuses when sold out', async () => {
    const { skuId, flashSaleId } = await sale(2, 1, 12)
    const [sku] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(sku!.stock).toBe(10)
    const a = await makeShopper(database.db)
    const b = await makeShopper(database.db)
    const c = await makeShopper(database.db)
    const { order } = await placeOrder(deps(), a.member.id, {
      flashSale: { flashSaleId, quantity: 1 },
      addressId: a.addressId,
    })
    expect(order).toMatchObject({ itemsFen: 9900, flashSaleId })
    expect(
      await code(
        placeOrder(deps(), a.member.id, { flashSale: { flashSaleId, quantity: 1 }, addressId: a.addressId }),
      ),
    ).toBe('flash_sale_limit')
    expect(
      await code(
        placeOrder(deps(), b.member.id, { flashSale: { flashSaleId, quantity: 2 }, addressId: b.addressId }),
      ),
    ).toBe('flash_sale_limit')
    expect(
      await code(
        placeOrder(deps(), b.member.id, { flashSale: { flashSaleId, quantity: 1 }, addressId: b.addressId }),
      ),
    ).toBe('ok')
    expect(
      await code(
        placeOrder(deps(), c.member.id, { flashSale: { flashSaleId, quantity: 1 }, addressId: c.addressId }),
      ),
    ).toBe('flash_sale_sold_out')
    // a's unpaid order is cancelled: the unit goes back to the sale and a may buy again.
    await cancelOrder(database.db, order.id, 'payment_timeout', clock.now())
    expect(
      await code(
        placeOrder(deps(), c.member.id, { flashSale: { flashSaleId, quantity: 1 }, addressId: c.addressId }),
      ),
    ).toBe('ok')
  })

  it('refuses before the window and after it; ending returns unsold units to the SKU', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 26900, stock: 20 })
    const f = await createFlashSale(database.db, {
      skuId,
      title: '明日秒杀',
      priceFen: 9900,
      totalStock: 5,
      startsAt: new Date(clock.now().getTime() + 3600_000),
      endsAt: new Date(clock.now().getTime() + 7200_000),
    })
    const s = await makeShopper(database.db)
    expect(
      await code(
        placeOrder(deps(), s.member.id, {
          flashSale: { flashSaleId: f.id, quantity: 1 },
          addressId: s.addressId,
        }),
      ),
    ).toBe('flash_sale_not_started')
    await endFlashSale(database.db, f.id, clock.now())
    expect(
      await code(
        placeOrder(deps(), s.member.id, {
          flashSale: { flashSaleId: f.id, quantity: 1 },
          addressId: s.addressId,
        }),
      ),
    ).toBe('flash_sale_ended')
    const [sku] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(sku!.stock).toBe(20)
    expect(
      await code(
        createFlashSale(database.db, {
          skuId,
          title: '太多',
          priceFen: 9900,
          totalStock: 21,
          startsAt: clock.now(),
          endsAt: new Date(clock.now().getTime() + 1000),
        }),
      ),
    ).toBe('stock_insufficient')
  })
})

describe.runIf(onPostgresServer())('on the PostgreSQL server', () => {
  it('500 concurrent buyers (each trying twice) for 50 units: exactly 50 orders, stock 0, never negative, limits held', async () => {
    const { flashSaleId } = await sale(50, 1)
    const buyers = await queryRows<{ id: number }>(
      database.db,
      sql`insert into members (name, source) select '秒杀用户' || g, 'test' from generate_series(1, 500) g returning id`,
    )
    const addresses = await queryRows<{ id: number; member_id: number }>(
      database.db,
      sql`insert into member_addresses (member_id, name, phone, province, city, district, detail, is_default)
          select id, '买家', '13800000000', '上海市', '上海市', '浦东新区', '世纪大道 1 号', true
          from members where id = any(${sql`array[${sql.join(
            buyers.map((b) => sql`${b.id}`),
            sql`, `,
          )}]::bigint[]`})
          returning id, member_id`,
    )
    const addressOf = new Map(addresses.map((a) => [a.member_id, a.id]))
    const attempts = buyers.flatMap((b) => [b.id, b.id])
    const results = await Promise.all(
      attempts.map((memberId) =>
        code(
          placeOrder(deps(), memberId, {
            flashSale: { flashSaleId, quantity: 1 },
            addressId: addressOf.get(memberId)!,
          }),
        ),
      ),
    )
    const tally = results.reduce<Record<string, number>>((t, r) => ({ ...t, [r]: (t[r] ?? 0) + 1 }), {})
    expect(tally.ok).toBe(50)
    expect(Object.keys(tally).sort()).toEqual(expect.arrayContaining(['flash_sale_sold_out', 'ok']))
    expect(
      Object.keys(tally).every((k) => ['ok', 'flash_sale_sold_out', 'flash_sale_limit'].includes(k)),
    ).toBe(true)
    const [s] = await database.db.select().from(flashSales).where(eq(flashSales.id, flashSaleId))
    expect(s!.stockLeft).toBe(0)
    const perMember = await queryRows<{ member_id: number; n: number }>(
      database.db,
      sql`select member_id, count(*)::int as n from orders where flash_sale_id = ${flashSaleId} group by member_id`,
    )
    expect(perMember).toHaveLength(50)
    expect(perMember.every((r) => r.n === 1)).toBe(true)
    const [held] = await queryRows<{ q: number }>(
      database.db,
      sql`select coalesce(sum(quantity), 0)::int as q from flash_sale_purchases where flash_sale_id = ${flashSaleId}`,
    )
    expect(held!.q).toBe(50)
    const total = await database.db.select().from(orders).where(eq(orders.flashSaleId, flashSaleId))
    expect(total).toHaveLength(50)
  })
})
