// Operators' catalogue: categories, brands, products with their SKUs, stock and member prices per tier
// level. A product and its SKUs are written in one transaction.
import { and, asc, count, desc, eq, ilike, inArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import { patchOf } from '../validation'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { containsPattern } from '../db/like'
import { conflict, DomainError, notFound } from '../errors'
import { tierLadders, tierLevels } from '../db/schema/loyalty'
import { brands, categories, products, skuMemberPrices, skus } from '../db/schema/catalog'

const fen = z.number().int().min(1, '价格必须大于 0').max(100_000_000)

export const memberPriceInputSchema = z.object({ levelId: z.number().int().positive(), priceFen: fen })

export const skuInputSchema = z.object({
  spec: z.string().trim().min(1).max(60),
  priceFen: fen,
  costFen: z.number().int().min(0).max(100_000_000).default(0),
  stock: z.number().int().min(0).max(10_000_000).default(0),
  memberPrices: z.array(memberPriceInputSchema).max(20).default([]),
})

export const productInputSchema = z.object({
  categoryId: z.number().int().positive(),
  brandId: z.number().int().positive().nullable().optional(),
  title: z.string().trim().min(1).max(100),
  subtitle: z.string().trim().max(200).nullable().optional(),
  description: z.string().max(20_000).nullable().optional(),
  images: z.array(z.string().min(1).max(500)).max(20).default([]),
  status: z.enum(['on_sale', 'off_sale']).default('on_sale'),
  sort: z.number().int().min(-10000).max(10000).default(0),
  skus: z.array(skuInputSchema).min(1, '至少需要一个规格').max(100),
})
export type ProductInput = z.input<typeof productInputSchema>

export const productPatchSchema = patchOf(productInputSchema.omit({ skus: true }))
export const skuPatchSchema = patchOf(skuInputSchema).extend({
  /** Add (or with a negative number, remove) stock; refused if it would go below zero. */
  stockDelta: z.number().int().min(-10_000_000).max(10_000_000).optional(),
})

export const productViewSchema = z.object({
  id: z.number().int(),
  categoryId: z.number().int(),
  brandId: z.number().int().nullable(),
  title: z.string(),
  subtitle: z.string().nullable(),
  description: z.string().nullable(),
  images: z.array(z.string()),
  status: z.enum(['on_sale', 'off_sale']),
  sort: z.number().int(),
  minPriceFen: z.number().int(),
  soldCount: z.number().int(),
  createdAt: z.string(),
  skus: z.array(
    z.object({
      id: z.number().int(),
      spec: z.string(),
      priceFen: z.number().int(),
      costFen: z.number().int(),
      stock: z.number().int(),
      memberPrices: z.array(z.object({ levelId: z.number().int(), priceFen: z.number().int() })),
    }),
  ),
})

export const productListSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      title: z.string(),
      categoryId: z.number().int(),
      status: z.enum(['on_sale', 'off_sale']),
      soldCount: z.number().int(),
      minPriceFen: z.number().int().nullable(),
      stock: z.number().int(),
      image: z.string().nullable(),
      skuCount: z.number().int(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
})

export const categoryViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  parentId: z.number().int().nullable(),
  sort: z.number().int(),
})

export const brandViewSchema = z.object({ id: z.number().int(), name: z.string() })

export const priceLevelSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  ladderName: z.string(),
})

/** The tier levels a member price can be set for, ladder by ladder. */
export async function listPriceLevels(db: Db) {
  return db
    .select({ id: tierLevels.id, name: tierLevels.name, ladderName: tierLadders.name })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .orderBy(asc(tierLadders.id), asc(tierLevels.rank), asc(tierLevels.id))
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

async function setMemberPrices(tx: Tx | Db, skuId: number, prices: { levelId: number; priceFen: number }[]) {
  await tx.delete(skuMemberPrices).where(eq(skuMemberPrices.skuId, skuId))
  if (prices.length === 0) return
  const levelIds = [...new Set(prices.map((p) => p.levelId))]
  const found = await tx
    .select({ id: tierLevels.id })
    .from(tierLevels)
    .where(inArray(tierLevels.id, levelIds))
  if (found.length !== levelIds.length)
    throw new DomainError('tier_level_not_found', '会员价对应的会员等级不存在', 400, [
      { path: 'memberPrices', message: '会员等级不存在' },
    ])
  await tx
    .insert(skuMemberPrices)
    .values(prices.map((p) => ({ skuId, levelId: p.levelId, priceFen: p.priceFen })))
}

/** Keep the product's lowest list price (what the shopper list sorts and filters on) in step with its SKUs. */
export async function refreshMinPrice(tx: Tx | Db, productId?: number) {
  await tx.execute(
    sql`update products p set min_price_fen = coalesce((select min(price_fen) from skus where product_id = p.id), 0)
        ${productId === undefined ? sql`` : sql`where p.id = ${productId}`}`,
  )
}

async function assertCategory(tx: Tx | Db, categoryId: number) {
  const [c] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, categoryId))
  if (!c)
    throw new DomainError('category_not_found', '分类不存在', 400, [
      { path: 'categoryId', message: '分类不存在' },
    ])
}

export async function createProduct(db: Db, input: ProductInput) {
  const parsed = productInputSchema.parse(input)
  const id = await db.transaction(async (tx) => {
    await assertCategory(tx, parsed.categoryId)
    const { skus: skuInputs, ...fields } = parsed
    const [p] = await tx.insert(products).values(fields).returning({ id: products.id })
    for (const s of skuInputs) {
      const { memberPrices, ...skuFields } = s
      const [sku] = await tx
        .insert(skus)
        .values({ ...skuFields, productId: p!.id })
        .returning({ id: skus.id })
      await setMemberPrices(tx, sku!.id, memberPrices)
    }
    await refreshMinPrice(tx, p!.id)
    return p!.id
  })
  return getProductForOperator(db, id)
}

export async function updateProduct(db: Db, productId: number, patch: z.infer<typeof productPatchSchema>) {
  if (patch.categoryId) await assertCategory(db, patch.categoryId)
  const [row] = await db
    .update(products)
    .set(patch)
    .where(eq(products.id, productId))
    .returning({ id: products.id })
  if (!row) throw notFound('商品', 'product_not_found')
  return getProductForOperator(db, productId)
}

export async function addSku(db: Db, productId: number, input: z.input<typeof skuInputSchema>) {
  const { memberPrices, ...fields } = skuInputSchema.parse(input)
  await db.transaction(async (tx) => {
    const [p] = await tx.select({ id: products.id }).from(products).where(eq(products.id, productId))
    if (!p) throw notFound('商品', 'product_not_found')
    const [sku] = await tx
      .insert(skus)
      .values({ ...fields, productId })
      .returning({ id: skus.id })
    await setMemberPrices(tx, sku!.id, memberPrices)
    await refreshMinPrice(tx, productId)
  })
  return getProductForOperator(db, productId)
}

/** Change a SKU: price, cost, spec, member prices, and stock (set, or moved by a delta that cannot go below 0). */
export async function updateSku(db: Db, skuId: number, patch: z.infer<typeof skuPatchSchema>) {
  const { memberPrices, stockDelta, ...fields } = patch
  const productId = await db.transaction(async (tx) => {
    const [sku] = await tx.select().from(skus).where(eq(skus.id, skuId)).for('update')
    if (!sku) throw notFound('规格', 'sku_not_found')
    if (Object.keys(fields).length) await tx.update(skus).set(fields).where(eq(skus.id, skuId))
    if (stockDelta) {
      const [moved] = await tx
        .update(skus)
        .set({ stock: sql`${skus.stock} + ${stockDelta}` })
        .where(and(eq(skus.id, skuId), sql`${skus.stock} + ${stockDelta} >= 0`))
        .returning({ id: skus.id })
      if (!moved) throw conflict('stock_insufficient', '库存不足，无法减少这么多')
    }
    if (memberPrices) await setMemberPrices(tx, skuId, memberPrices)
    if (fields.priceFen !== undefined) await refreshMinPrice(tx, sku.productId)
    return sku.productId
  })
  return getProductForOperator(db, productId)
}

export async function getProductForOperator(db: Db, productId: number) {
  const [p] = await db.select().from(products).where(eq(products.id, productId))
  if (!p) throw notFound('商品', 'product_not_found')
  const skuRows = await db.select().from(skus).where(eq(skus.productId, productId)).orderBy(asc(skus.id))
  const prices = skuRows.length
    ? await db
        .select()
        .from(skuMemberPrices)
        .where(
          inArray(
            skuMemberPrices.skuId,
            skuRows.map((s) => s.id),
          ),
        )
    : []
  return {
    ...p,
    createdAt: p.createdAt.toISOString(),
    skus: skuRows.map((s) => ({
      id: s.id,
      spec: s.spec,
      priceFen: s.priceFen,
      costFen: s.costFen,
      stock: s.stock,
      memberPrices: prices
        .filter((m) => m.skuId === s.id)
        .map((m) => ({ levelId: m.levelId, priceFen: m.priceFen })),
    })),
  }
}

export const adminProductQuerySchema = z.object({
  q: z.string().trim().max(50).optional(),
  categoryId: z.coerce.number().int().positive().optional(),
  status: z.enum(['on_sale', 'off_sale']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
})

export async function listProductsForOperator(db: Db, q: z.infer<typeof adminProductQuerySchema>) {
  const where = and(
    q.q ? ilike(products.title, containsPattern(q.q)) : undefined,
    q.categoryId ? eq(products.categoryId, q.categoryId) : undefined,
    q.status ? eq(products.status, q.status) : undefined,
  )
  const [total] = await db.select({ n: count() }).from(products).where(where)
  const rows = await db
    .select({
      id: products.id,
      title: products.title,
      categoryId: products.categoryId,
      status: products.status,
      soldCount: products.soldCount,
      minPriceFen: sql<number>`(select min(price_fen) from skus where product_id = ${products.id})::int`,
      stock: sql<number>`(select coalesce(sum(stock), 0) from skus where product_id = ${products.id})::int`,
      skuCount: sql<number>`(select count(*) from skus where product_id = ${products.id})::int`,
      image: sql<string | null>`${products.images}->>0`,
    })
    .from(products)
    .where(where)
    .orderBy(desc(products.id))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
  return { items: rows, total: total!.n, page: q.page, pageSize: q.pageSize }
}

export const categoryInputSchema = z.object({
  name: z.string().trim().min(1).max(30),
  parentId: z.number().int().positive().nullable().optional(),
  sort: z.number().int().default(0),
})

export async function createCategory(db: Db, input: z.infer<typeof categoryInputSchema>) {
  const [c] = await db.insert(categories).values(input).returning()
  return c!
}

export async function createBrand(db: Db, name: string) {
  try {
    const [b] = await db.insert(brands).values({ name }).returning()
    return b!
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('brand_exists', '品牌已存在')
    throw err
  }
}

export async function listBrands(db: Db) {
  return db.select({ id: brands.id, name: brands.name }).from(brands).orderBy(asc(brands.name))
}
