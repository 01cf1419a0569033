// The member's cart: SKUs and quantities only; prices are shown from the catalogue and charged by checkout.
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { invalid } from '../errors'
import { heldLevelIds, memberPricesFor } from '../catalog/browse'
import { products, skus } from '../db/schema/catalog'
import { priceLine } from './pricing'
import { cartItems } from '../db/schema/orders'

export async function setCartItem(db: Db, memberId: number, skuId: number, quantity: number, at: Date) {
  const [sku] = await db.select({ id: skus.id }).from(skus).where(eq(skus.id, skuId))
  if (!sku) throw invalid('skuId', '商品规格不存在', 'sku_not_found')
  if (quantity === 0) {
    await db.delete(cartItems).where(and(eq(cartItems.memberId, memberId), eq(cartItems.skuId, skuId)))
    return
  }
  await db
    .insert(cartItems)
    .values({ memberId, skuId, quantity, updatedAt: at })
    .onConflictDoUpdate({ target: [cartItems.memberId, cartItems.skuId], set: { quantity, updatedAt: at } })
}

export async function viewCart(db: Db, memberId: number, at: Date) {
  const rows = await db
    .select({ item: cartItems, sku: skus, product: products })
    .from(cartItems)
    .innerJoin(skus, eq(skus.id, cartItems.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(cartItems.memberId, memberId))
    .orderBy(asc(cartItems.updatedAt))
  const prices = await memberPricesFor(
    db,
    rows.map((r) => r.sku.id),
    await heldLevelIds(db, memberId, at),
  )
  const items = rows.map((r) => {
    const priced = priceLine({
      skuId: r.sku.id,
      productId: r.product.id,
      categoryId: r.product.categoryId,
      quantity: r.item.quantity,
      listPriceFen: r.sku.priceFen,
      memberPricesFen: prices.get(r.sku.id) ?? [],
    })
    return {
      skuId: r.sku.id,
      productId: r.product.id,
      title: r.product.title,
      spec: r.sku.spec,
      image: r.product.images[0] ?? null,
      quantity: r.item.quantity,
      listPriceFen: r.sku.priceFen,
      unitPriceFen: priced.unitPriceFen,
      available: r.product.status === 'on_sale' && r.sku.stock >= r.item.quantity,
    }
  })
  return {
    items,
    totalFen: items.filter((i) => i.available).reduce((s, i) => s + i.unitPriceFen * i.quantity, 0),
  }
}
