// Flash sales (秒杀): units set aside from a SKU's stock, sold at a price within a time window, at most
// `perMemberLimit` per member. Checkout claims the member's share first (a row per member and sale),
// then the unit, with one conditional decrement on the sale row: however many buyers arrive at once,
// the database never lets stock_left go below zero or a member past the limit.
import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, DomainError, invalid, notFound } from '../errors'
import { products, skus } from '../db/schema/catalog'
import { flashSalePurchases, flashSales, type FlashSale } from '../db/schema/marketing'
import { orders } from '../db/schema/orders'

export const flashSaleInputSchema = z
  .object({
    skuId: z.number().int().positive(),
    title: z.string().trim().min(1).max(60),
    priceFen: z.number().int().min(1),
    totalStock: z.number().int().min(1).max(1_000_000),
    perMemberLimit: z.number().int().min(1).max(100).default(1),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
  })
  .refine((f) => f.endsAt > f.startsAt, { path: ['endsAt'], message: '结束时间必须晚于开始时间' })

/** Create a flash sale, taking its units out of the SKU's stock (refused if the SKU has too few). */
export async function createFlashSale(
  db: Db,
  input: z.input<typeof flashSaleInputSchema>,
): Promise<FlashSale> {
  const f = flashSaleInputSchema.parse(input)
  return db.transaction(async (tx) => {
    const [sku] = await tx
      .update(skus)
      .set({ stock: sql`${skus.stock} - ${f.totalStock}` })
      .where(and(eq(skus.id, f.skuId), sql`${skus.stock} >= ${f.totalStock}`))
      .returning()
    if (!sku) {
      const [exists] = await tx.select({ id: skus.id }).from(skus).where(eq(skus.id, f.skuId))
      if (!exists) throw invalid('skuId', '规格不存在', 'sku_not_found')
      throw conflict('stock_insufficient', '商品库存不足以设置这么多秒杀数量')
    }
    if (f.priceFen >= sku.priceFen) throw invalid('priceFen', '秒杀价必须低于原价')
    const [sale] = await tx
      .insert(flashSales)
      .values({ ...f, stockLeft: f.totalStock })
      .returning()
    return sale!
  })
}

/** End a sale now (or after its window): units not sold go back to the SKU. */
export async function endFlashSale(db: Db, flashSaleId: number, at: Date): Promise<FlashSale> {
  return db.transaction(async (tx) => {
    const [open] = await tx
      .select()
      .from(flashSales)
      .where(and(eq(flashSales.id, flashSaleId), isNull(flashSales.endedAt)))
      .for('update')
    if (!open) throw notFound('进行中的秒杀', 'flash_sale_not_found')
    const [sale] = await tx
      .update(flashSales)
      .set({ endedAt: at, stockLeft: 0 })
      .where(eq(flashSales.id, flashSaleId))
      .returning()
    if (open.stockLeft > 0)
      await tx
        .update(skus)
        .set({ stock: sql`${skus.stock} + ${open.stockLeft}` })
        .where(eq(skus.id, open.skuId))
    return sale!
  })
}

export async function listFlashSales(db: Db, at: Date, options: { includeEnded?: boolean } = {}) {
  return db
    .select({
      id: flashSales.id,
      title: flashSales.title,
      skuId: flashSales.skuId,
      productId: skus.productId,
      productTitle: products.title,
      image: sql<string | null>`${products.images}->>0`,
      listPriceFen: skus.priceFen,
      priceFen: flashSales.priceFen,
      totalStock: flashSales.totalStock,
      stockLeft: flashSales.stockLeft,
      perMemberLimit: flashSales.perMemberLimit,
      startsAt: flashSales.startsAt,
      endsAt: flashSales.endsAt,
      endedAt: flashSales.endedAt,
    })
    .from(flashSales)
    .innerJoin(skus, eq(skus.id, flashSales.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(options.includeEnded ? undefined : and(gt(flashSales.endsAt, at), isNull(flashSales.endedAt)))
    .orderBy(asc(flashSales.startsAt), asc(flashSales.id))
}

/** The sale, if it is selling at `at`, with its SKU and product (one read, for checkout). */
export async function sellingFlashSale(db: Db, flashSaleId: number, at: Date) {
  const [row] = await db
    .select({ sale: flashSales, sku: skus, product: products })
    .from(flashSales)
    .innerJoin(skus, eq(skus.id, flashSales.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(flashSales.id, flashSaleId))
  if (!row) throw notFound('秒杀活动', 'flash_sale_not_found')
  const { sale } = row
  if (sale.endedAt || sale.endsAt <= at) throw conflict('flash_sale_ended', '秒杀已结束')
  if (sale.startsAt > at) throw conflict('flash_sale_not_started', '秒杀尚未开始')
  return row
}

/** Inside checkout: count `quantity` against the member's limit (locks the member's row for this sale). */
export async function claimFlashSaleLimit(
  tx: Db,
  sale: FlashSale,
  memberId: number,
  quantity: number,
): Promise<void> {
  if (quantity > sale.perMemberLimit)
    throw new DomainError('flash_sale_limit', `每人限购 ${sale.perMemberLimit} 件`, 409, [
      { path: 'quantity', message: `每人限购 ${sale.perMemberLimit} 件` },
    ])
  const rows = await tx
    .insert(flashSalePurchases)
    .values({ flashSaleId: sale.id, memberId, quantity })
    .onConflictDoUpdate({
      target: [flashSalePurchases.flashSaleId, flashSalePurchases.memberId],
      set: { quantity: sql`${flashSalePurchases.quantity} + excluded.quantity` },
      setWhere: sql`${flashSalePurchases.quantity} + excluded.quantity <= ${sale.perMemberLimit}`,
    })
    .returning({ quantity: flashSalePurchases.quantity })
  if (rows.length === 0)
    throw new DomainError('flash_sale_limit', `每人限购 ${sale.perMemberLimit} 件，你已抢购过`, 409, [
      { path: 'quantity', message: `每人限购 ${sale.perMemberLimit} 件` },
    ])
}

/** Inside checkout, last: take the units, or refuse when sold out or outside the window. */
export async function takeFlashSaleStock(
  tx: Db,
  flashSaleId: number,
  quantity: number,
  at: Date,
): Promise<void> {
  const rows = await tx
    .update(flashSales)
    .set({ stockLeft: sql`${flashSales.stockLeft} - ${quantity}` })
    .where(
      and(
        eq(flashSales.id, flashSaleId),
        sql`${flashSales.stockLeft} >= ${quantity}`,
        sql`${flashSales.startsAt} <= ${at.toISOString()}::timestamptz`,
        sql`${flashSales.endsAt} > ${at.toISOString()}::timestamptz`,
        isNull(flashSales.endedAt),
      ),
    )
    .returning({ id: flashSales.id })
  if (rows.length === 0) throw conflict('flash_sale_sold_out', '手慢了，秒杀商品已抢光')
}

/** An unpaid flash-sale order was cancelled: the units go back to the sale (or the SKU once it ended). */
export async function releaseFlashSale(
  tx: Db,
  input: { flashSaleId: number; memberId: number; skuId: number; quantity: number },
): Promise<void> {
  await tx
    .update(flashSalePurchases)
    .set({ quantity: sql`greatest(${flashSalePurchases.quantity} - ${input.quantity}, 0)` })
    .where(
      and(
        eq(flashSalePurchases.flashSaleId, input.flashSaleId),
        eq(flashSalePurchases.memberId, input.memberId),
      ),
    )
  const back = await tx
    .update(flashSales)
    .set({ stockLeft: sql`${flashSales.stockLeft} + ${input.quantity}` })
    .where(and(eq(flashSales.id, input.flashSaleId), isNull(flashSales.endedAt)))
    .returning({ id: flashSales.id })
  if (back.length === 0)
    await tx
      .update(skus)
      .set({ stock: sql`${skus.stock} + ${input.quantity}` })
      .where(eq(skus.id, input.skuId))
}

export const adminFlashSaleSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  skuId: z.number().int(),
  productId: z.number().int(),
  productTitle: z.string(),
  image: z.string().nullable(),
  listPriceFen: z.number().int(),
  priceFen: z.number().int(),
  totalStock: z.number().int(),
  stockLeft: z.number().int(),
  perMemberLimit: z.number().int(),
  startsAt: z.string(),
  endsAt: z.string(),
  endedAt: z.string().nullable(),
  /** Paid (or later) orders of the sale, the members who placed them, and what they paid. */
  paidOrders: z.number().int(),
  buyers: z.number().int(),
  revenueFen: z.number().int(),
})

/** Every flash sale with its results, for operators watching them. */
export async function listFlashSalesWithResults(
  db: Db,
  at: Date,
): Promise<z.infer<typeof adminFlashSaleSchema>[]> {
  const sales = await listFlashSales(db, at, { includeEnded: true })
  const results = await db
    .select({
      id: orders.flashSaleId,
      paidOrders: sql<number>`count(*)::int`,
      buyers: sql<number>`count(distinct ${orders.memberId})::int`,
      revenueFen: sql<number>`coalesce(sum(${orders.payFen}), 0)::int`,
    })
    .from(orders)
    .where(and(isNotNull(orders.flashSaleId), inArray(orders.status, ['paid', 'shipped', 'completed'])))
    .groupBy(orders.flashSaleId)
  const byId = new Map(results.map((r) => [Number(r.id), r]))
  return sales.map((s) => ({
    ...s,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    paidOrders: byId.get(s.id)?.paidOrders ?? 0,
    buyers: byId.get(s.id)?.buyers ?? 0,
    revenueFen: byId.get(s.id)?.revenueFen ?? 0,
  }))
}
