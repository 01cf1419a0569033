// The catalogue as shoppers see it: categories, a paginated product list with search, filters and
// sorting, and product detail, each showing the member's own price (the lowest price among the tier
// levels they hold) next to the list price.
import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { notFound } from '../errors'
import { memberTiers } from '../loyalty/schema'
import { brands, categories, products, skuMemberPrices, skus } from './schema'

/** The tier levels a member holds now (their member prices apply). */
export async function heldLevelIds(db: Db, memberId: number | undefined, at: Date): Promise<number[]> {
  if (!memberId) return []
  const rows = await db
    .select({ levelId: memberTiers.levelId })
    .from(memberTiers)
    .where(
      and(eq(memberTiers.memberId, memberId), or(isNull(memberTiers.endsAt), gt(memberTiers.endsAt, at))),
    )
  return rows.map((r) => r.levelId)
}

/** Member prices by SKU for the levels given. */
export async function memberPricesFor(
  db: Db,
  skuIds: number[],
  levelIds: number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>()
  if (skuIds.length === 0 || levelIds.length === 0) return out
  const rows = await db
    .select()
    .from(skuMemberPrices)
    .where(and(inArray(skuMemberPrices.skuId, skuIds), inArray(skuMemberPrices.levelId, levelIds)))
  for (const r of rows) out.set(r.skuId, [...(out.get(r.skuId) ?? []), r.priceFen])
  return out
}

export const productListQuerySchema = z.object({
  q: z.string().trim().max(50).optional(),
  categoryId: z.coerce.number().int().positive().optional(),
  brandId: z.coerce.number().int().positive().optional(),
  minPriceFen: z.coerce.number().int().min(0).optional(),
  maxPriceFen: z.coerce.number().int().min(0).optional(),
  sort: z.enum(['default', 'sales', 'price_asc', 'price_desc', 'newest']).default('default'),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
})
export type ProductListQuery = z.infer<typeof productListQuerySchema>

export const productCardSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  subtitle: z.string().nullable(),
  image: z.string().nullable(),
  categoryId: z.number().int(),
  brandId: z.number().int().nullable(),
  priceFen: z.number().int(),
  memberPriceFen: z.number().int().nullable(),
  soldCount: z.number().int(),
  inStock: z.boolean(),
})
export type ProductCard = z.infer<typeof productCardSchema>

const ORDER_BY: Record<ProductListQuery['sort'], string> = {
  default: 'p.sort desc, p.id desc',
  sales: 'p.sold_count desc, p.id desc',
  price_asc: 'price_fen asc, p.id desc',
  price_desc: 'price_fen desc, p.id desc',
  newest: 'p.created_at desc, p.id desc',
}

/** On-sale products, one page, with the member's price; one query. */
export async function listProducts(
  db: Db,
  query: ProductListQuery,
  levelIds: number[],
): Promise<{ items: ProductCard[]; total: number; page: number; pageSize: number }> {
  const levels = levelIds.length
    ? sql`array[${sql.join(
        levelIds.map((l) => sql`${l}`),
        sql`, `,
      )}]::bigint[]`
    : sql`array[]::bigint[]`
  const filters = [sql`p.status = 'on_sale'`]
  if (query.q) filters.push(sql`p.title ilike ${`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`)
  if (query.categoryId) filters.push(sql`p.category_id = ${query.categoryId}`)
  if (query.brandId) filters.push(sql`p.brand_id = ${query.brandId}`)
  const priceFilters = []
  if (query.minPriceFen !== undefined) priceFilters.push(sql`price_fen >= ${query.minPriceFen}`)
  if (query.maxPriceFen !== undefined) priceFilters.push(sql`price_fen <= ${query.maxPriceFen}`)
  const rows = await queryRows<{
    id: number
    title: string
    subtitle: string | null
    image: string | null
    category_id: number
    brand_id: number | null
    price_fen: number
    member_price_fen: number | null
    sold_count: number
    stock: number
    total: number
  }>(
    db,
    sql`select * , count(*) over ()::int as total from (
          select p.id, p.title, p.subtitle, p.images->>0 as image, p.category_id, p.brand_id, p.sold_count,
                 p.sort, p.created_at, s.price_fen, s.stock, mp.member_price_fen
          from products p
          join lateral (select min(price_fen)::int as price_fen, sum(stock)::int as stock from skus where product_id = p.id) s on true
          left join lateral (
            select min(m.price_fen)::int as member_price_fen from sku_member_prices m join skus k on k.id = m.sku_id
            where k.product_id = p.id and m.level_id = any(${levels})
          ) mp on true
          where ${sql.join(filters, sql` and `)} and s.price_fen is not null
        ) p
        ${priceFilters.length ? sql`where ${sql.join(priceFilters, sql` and `)}` : sql``}
        order by ${sql.raw(ORDER_BY[query.sort])}
        limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`,
  )
  return {
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      subtitle: r.subtitle,
      image: r.image,
      categoryId: r.category_id,
      brandId: r.brand_id,
      priceFen: r.price_fen,
      memberPriceFen:
        r.member_price_fen !== null && r.member_price_fen < r.price_fen ? r.member_price_fen : null,
      soldCount: r.sold_count,
      inStock: r.stock > 0,
    })),
    total: rows[0]?.total ?? 0,
    page: query.page,
    pageSize: query.pageSize,
  }
}

export const productDetailSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  subtitle: z.string().nullable(),
  description: z.string().nullable(),
  images: z.array(z.string()),
  category: z.object({ id: z.number().int(), name: z.string() }),
  brand: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  soldCount: z.number().int(),
  skus: z.array(
    z.object({
      id: z.number().int(),
      spec: z.string(),
      priceFen: z.number().int(),
      memberPriceFen: z.number().int().nullable(),
      stock: z.number().int(),
    }),
  ),
})
export type ProductDetail = z.infer<typeof productDetailSchema>

export async function productDetail(db: Db, productId: number, levelIds: number[]): Promise<ProductDetail> {
  const [row] = await db
    .select({ product: products, category: categories, brand: brands })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .leftJoin(brands, eq(brands.id, products.brandId))
    .where(and(eq(products.id, productId), eq(products.status, 'on_sale')))
  if (!row) throw notFound('商品', 'product_not_found')
  const skuRows = await db.select().from(skus).where(eq(skus.productId, productId)).orderBy(asc(skus.id))
  const prices = await memberPricesFor(
    db,
    skuRows.map((s) => s.id),
    levelIds,
  )
  const p = row.product
  return {
    id: p.id,
    title: p.title,
    subtitle: p.subtitle,
    description: p.description,
    images: p.images,
    category: { id: row.category.id, name: row.category.name },
    brand: row.brand ? { id: row.brand.id, name: row.brand.name } : null,
    soldCount: p.soldCount,
    skus: skuRows.map((s) => {
      const best = Math.min(...(prices.get(s.id) ?? []))
      return {
        id: s.id,
        spec: s.spec,
        priceFen: s.priceFen,
        memberPriceFen: Number.isFinite(best) && best < s.priceFen ? best : null,
        stock: s.stock,
      }
    }),
  }
}

export async function listCategories(db: Db) {
  return db
    .select({
      id: categories.id,
      name: categories.name,
      parentId: categories.parentId,
      sort: categories.sort,
    })
    .from(categories)
    .orderBy(asc(categories.sort), asc(categories.id))
}
