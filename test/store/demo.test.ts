// The demo brand's store: `npm start` shows member prices, coupons in members' hands, a flash sale and a group buy.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { count } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { listProducts, productListQuerySchema } from '../../shared/catalog/browse'
import { listFlashSales } from '../../shared/marketing/flash-sale'
import { listGroupBuys } from '../../shared/marketing/group-buy'
import { memberCoupons } from '../../shared/db/schema/coupons'
import { skuMemberPrices } from '../../shared/db/schema/catalog'
import { testDatabase } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('seeds a store a newcomer can shop in', async () => {
  const now = new Date()
  await seedDemo(database, { members: 60, now })
  const list = await listProducts(database.db, productListQuerySchema.parse({ sort: 'price_asc' }), {
    levelIds: [],
  })
  expect(list.total).toBe(15)
  expect(list.items[0]!.priceFen).toBeGreaterThan(0)
  expect(list.items.map((p) => p.priceFen)).toEqual(
    [...list.items.map((p) => p.priceFen)].sort((a, b) => a - b),
  )
  expect((await database.db.select({ n: count() }).from(skuMemberPrices))[0]!.n).toBe(45)
  expect((await database.db.select({ n: count() }).from(memberCoupons))[0]!.n).toBe(40)
  expect(await listFlashSales(database.db, now)).toHaveLength(1)
  expect(await listGroupBuys(database.db, now)).toHaveLength(1)
})
