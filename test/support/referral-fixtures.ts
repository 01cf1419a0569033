// Orders written straight into the database for referral tests (the store's checkout is not needed to
// test what happens after payment): a catalogue item with a cost, paid orders, refunds.
import { eq } from 'drizzle-orm'
import type { Db } from '../../shared/db/client'
import { categories, products, skus } from '../../shared/db/schema/catalog'
import { orderItems, orders } from '../../shared/db/schema/orders'
import { members } from '../../shared/db/schema/members'

let seq = 0

export async function makeSku(db: Db, input: { priceFen: number; costFen: number; title?: string }) {
  const [cat] = await db.insert(categories).values({ name: '测试类目' }).returning()
  const [product] = await db
    .insert(products)
    .values({ categoryId: cat!.id, title: input.title ?? '测试商品' })
    .returning()
  const [sku] = await db
    .insert(skus)
    .values({
      productId: product!.id,
      spec: '标准',
      priceFen: input.priceFen,
      costFen: input.costFen,
      stock: 1000,
    })
    .returning()
  return { ...sku!, categoryId: cat!.id, title: product!.title }
}
export type TestSku = Awaited<ReturnType<typeof makeSku>>

/** A paid order of the given lines, placed and paid at `at` (pay = goods + shipping). */
export async function makePaidOrder(
  db: Db,
  input: { memberId: number; lines: { sku: TestSku; quantity: number }[]; at: Date; shippingFen?: number },
) {
  const itemsFen = input.lines.reduce((s, l) => s + l.sku.priceFen * l.quantity, 0)
  const shippingFen = input.shippingFen ?? 0
  const [order] = await db
    .insert(orders)
    .values({
      orderNo: `T${Date.now()}${process.pid}${++seq}`,
      memberId: input.memberId,
      status: 'paid',
      itemsFen,
      shippingFen,
      payFen: itemsFen + shippingFen,
      createdAt: input.at,
      paidAt: input.at,
    })
    .returning()
  await db.insert(orderItems).values(
    input.lines.map((l) => ({
      orderId: order!.id,
      productId: l.sku.productId,
      skuId: l.sku.id,
      categoryId: l.sku.categoryId,
      title: l.sku.title,
      quantity: l.quantity,
      unitPriceFen: l.sku.priceFen,
      unitCostFen: l.sku.costFen,
    })),
  )
  return order!
}

/** What the store's refund flow leaves behind: refunded_fen, and status refunded when in full. */
export async function refundOrder(db: Db, orderId: number, refundedFen: number, at: Date) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId))
  const full = refundedFen >= order!.payFen
  const [updated] = await db
    .update(orders)
    .set({ refundedFen, ...(full ? { status: 'refunded' as const, closedAt: at } : {}) })
    .where(eq(orders.id, orderId))
    .returning()
  return updated!
}

/** Backdate a member's creation (they joined before the attribution window). */
export async function setJoinedAt(db: Db, memberId: number, at: Date) {
  await db.update(members).set({ createdAt: at }).where(eq(members.id, memberId))
}
