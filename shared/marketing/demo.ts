// The demo brand's store: member prices for the paid tiers, coupon templates (some already in members'
// hands), a flash sale running now and a group buy, so `npm start` shows the store with believable data.
import { count, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { refreshMinPrice } from '../catalog/admin'
import { products, skus } from '../db/schema/catalog'
import { couponTemplates } from '../db/schema/coupons'
import { createCouponTemplate, issueCoupon } from '../coupons/service'
import { tierLadders, tierLevels } from '../db/schema/loyalty'
import { members } from '../db/schema/members'
import { createFlashSale } from './flash-sale'
import { createGroupBuy } from './group-buy'

export async function seedStoreDemo(db: Db, now: Date): Promise<void> {
  const [existing] = await db.select({ n: count() }).from(couponTemplates)
  if (existing!.n > 0) return
  await refreshMinPrice(db)

  // Member prices: V1 9.5折, V2 9折, V3 8.5折 on every SKU.
  const levels = await db
    .select({ id: tierLevels.id, rank: tierLevels.rank })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .where(eq(tierLadders.code, 'vip'))
  for (const level of levels) {
    const pct = 100 - 5 * level.rank
    await db.execute(
      sql`insert into sku_member_prices (sku_id, level_id, price_fen)
          select id, ${level.id}, (price_fen * ${pct} / 100 / 100) * 100 from skus
          on conflict do nothing`,
    )
  }

  const day = 86_400_000
  const welcome = await createCouponTemplate(db, {
    name: '新客立减 20 元',
    kind: 'fixed',
    amountFen: 2000,
    thresholdFen: 0,
    validDays: 30,
  })
  await createCouponTemplate(db, {
    name: '满 300 减 50',
    kind: 'threshold',
    amountFen: 5000,
    thresholdFen: 30000,
    validDays: 14,
    totalQuantity: 500,
  })
  await createCouponTemplate(db, {
    name: '积分兑换 · 10 元无门槛券',
    kind: 'fixed',
    amountFen: 1000,
    validDays: 30,
    pointsCost: 1000,
    perMemberLimit: 3,
  })
  const [skincare] = await db
    .execute(sql`select id from categories where name = '护肤' limit 1`)
    .then((r) => (r as unknown as { rows: { id: number }[] }).rows)
  if (skincare)
    await createCouponTemplate(db, {
      name: '护肤品 85 折',
      kind: 'percentage',
      percentOff: 15,
      maxDiscountFen: 10000,
      scope: 'category',
      scopeIds: [skincare.id],
      validDays: 30,
    })

  const someMembers = await db.select({ id: members.id }).from(members).orderBy(members.id).limit(40)
  for (const m of someMembers)
    await issueCoupon(db, {
      templateId: welcome.id,
      memberId: m.id,
      sourceKey: `campaign:demo-welcome:${m.id}`,
      source: 'campaign',
      at: now,
    })

  const demoSkus = await db
    .select({ id: skus.id, title: products.title, stock: skus.stock, priceFen: skus.priceFen })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .orderBy(skus.id)
  const serum = demoSkus.find((s) => s.title.includes('精华')) ?? demoSkus[0]
  const mask = demoSkus.find((s) => s.title.includes('面膜')) ?? demoSkus[1]
  if (serum && serum.stock >= 50)
    await createFlashSale(db, {
      skuId: serum.id,
      title: `限时秒杀 · ${serum.title}`,
      priceFen: Math.floor(serum.priceFen / 2 / 100) * 100,
      totalStock: 50,
      perMemberLimit: 1,
      startsAt: new Date(now.getTime() - 3600_000),
      endsAt: new Date(now.getTime() + 7 * day),
    })
  if (mask)
    await createGroupBuy(db, {
      skuId: mask.id,
      title: `三人团 · ${mask.title}`,
      groupPriceFen: Math.floor((mask.priceFen * 0.7) / 100) * 100,
      groupSize: 3,
      fillMinutes: 1440,
      startsAt: new Date(now.getTime() - 3600_000),
      endsAt: new Date(now.getTime() + 14 * day),
    })
}
