// The catalogue as shoppers see it: categories, a paginated product list with search, filters and
// sorting, and product detail, each showing the member's own price (the lowest price among the tier
// levels they hold) next to the list price.
import { and, asc, inArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { notFound } from '../errors'
import { categories, skuMemberPrices } from '../db/schema/catalog'
import { heldLevelsSql } from '../db/schema/loyalty'

/** The tier levels a member holds now (their member prices apply). */
export async function heldLevelIds(db: Db, memberId: number | undefined, at: Date): Promise<number[]> {
  if (!memberId) return []
  const rows = await queryRows<{ level_id: number }>(
    db,
    heldLevelsSql(sql`${memberId}`, sql`${at.toISOString()}::timestamptz`),
  )
  return rows.map((r) => Number(r.level_id))
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
  default: 'sort desc, id desc',
  sales: 'sold_count desc, id desc',
  price_asc: 'min_price_fen asc, id desc',
  price_desc: 'min_price_fen desc, id desc',
  newest: 'created_at desc, id desc',
}

/** The viewer's levels as a SQL list for `level_id in …`. */
const levelsIn = (levelIds: readonly number[]) =>
  levelIds.length
    ? sql`(${sql.join(
        levelIds.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : sql`(select null::bigint where false)`

/** Who is looking at the catalogue: the tier levels whose member prices they see. */
export interface CatalogueViewer {
  levelIds: readonly number[]
}

/** On-sale products, one page, with the member's own price: one query. */
export async function listProducts(
  db: Db,
  query: ProductListQuery,
  viewer: CatalogueViewer,
): Promise<{ items: ProductCard[]; total: number; page: number; pageSize: number }> {
  const filters = [sql`status = 'on_sale'`, sql`min_price_fen > 0`]
  if (query.q) filters.push(sql`title ilike ${`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`)
  if (query.categoryId) filters.push(sql`category_id = ${query.categoryId}`)
  if (query.brandId) filters.push(sql`brand_id = ${query.brandId}`)
  if (query.minPriceFen !== undefined) filters.push(sql`min_price_fen >= ${query.minPriceFen}`)
  if (query.maxPriceFen !== undefined) filters.push(sql`min_price_fen <= ${query.maxPriceFen}`)
  const order = sql.raw(ORDER_BY[query.sort])
  const rows = await queryRows<{
    id: number
    title: string
    subtitle: string | null
    image: string | null
    category_id: number
    brand_id: number | null
    min_price_fen: number
    member_price_fen: number | null
    sold_count: number
    stock: number | null
    total: number
  }>(
    db,
    sql`with page as (
          select id, title, subtitle, images->>0 as image, category_id, brand_id, sold_count, min_price_fen,
                 sort, created_at, count(*) over ()::int as total
          from products where ${sql.join(filters, sql` and `)}
          order by ${order} limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}
        )
        select page.*, s.stock, mp.member_price_fen from page
        left join lateral (select sum(stock)::int as stock from skus where product_id = page.id) s on true
        left join lateral (
          select min(m.price_fen)::int as member_price_fen from skus k join sku_member_prices m on m.sku_id = k.id
          where k.product_id = page.id and m.level_id in ${levelsIn(viewer.levelIds)}
        ) mp on true
        order by ${order}`,
  )
  return {
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      subtitle: r.subtitle,
      image: r.image,
      categoryId: r.category_id,
      brandId: r.brand_id,
      priceFen: r.min_price_fen,
      memberPriceFen:
        r.member_price_fen !== null && r.member_price_fen < r.min_price_fen ? r.member_price_fen : null,
      soldCount: r.sold_count,
      inStock: (r.stock ?? 0) > 0,
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

/** One on-sale product with its SKUs and the member's price for each: one query. */
export async function productDetail(
  db: Db,
  productId: number,
  viewer: CatalogueViewer,
): Promise<ProductDetail> {
  const [row] = await queryRows<{
    id: number
    title: string
    subtitle: string | null
    description: string | null
    images: string[]
    sold_count: number
    category: { id: number; name: string }
    brand: { id: number; name: string } | null
    skus: { id: number; spec: string; priceFen: number; memberPriceFen: number | null; stock: number }[]
  }>(
    db,
    sql`select p.id, p.title, p.subtitle, p.description, p.images, p.sold_count,
          json_build_object('id', c.id, 'name', c.name) as category,
          case when b.id is null then null else json_build_object('id', b.id, 'name', b.name) end as brand,
          (select coalesce(json_agg(json_build_object(
              'id', k.id, 'spec', k.spec, 'priceFen', k.price_fen, 'stock', k.stock,
              'memberPriceFen', (select min(m.price_fen) from sku_member_prices m
                                 where m.sku_id = k.id and m.level_id in ${levelsIn(viewer.levelIds)})
            ) order by k.id), '[]'::json) from skus k where k.product_id = p.id) as skus
        from products p
        join categories c on c.id = p.category_id
        left join brands b on b.id = p.brand_id
        where p.id = ${productId} and p.status = 'on_sale'`,
  )
  if (!row) throw notFound('商品', 'product_not_found')
  return {
    id: row.id,
    title: row.title,
    subtitle: row.subtitle,
    description: row.description,
    images: row.images,
    category: row.category,
    brand: row.brand,
    soldCount: row.sold_count,
    skus: row.skus.map((k) => ({
      ...k,
      memberPriceFen: k.memberPriceFen !== null && k.memberPriceFen < k.priceFen ? k.memberPriceFen : null,
    })),
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
