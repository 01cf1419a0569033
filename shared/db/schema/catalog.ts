// The catalogue: categories, brands, products and their SKUs. Money is integer fen.
import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, id, ref } from '../columns'
import { tierLevels } from './loyalty'

export const categories = pgTable('categories', {
  id: id(),
  name: text('name').notNull(),
  parentId: ref('parent_id'),
  sort: integer('sort').notNull().default(0),
  createdAt: createdAt(),
})

export const brands = pgTable(
  'brands',
  {
    id: id(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('brands_name_key').on(t.name)],
)

export const products = pgTable(
  'products',
  {
    id: id(),
    categoryId: ref('category_id')
      .notNull()
      .references(() => categories.id),
    brandId: ref('brand_id').references(() => brands.id),
    title: text('title').notNull(),
    subtitle: text('subtitle'),
    description: text('description'),
    images: jsonb('images').$type<string[]>().notNull().default([]),
    status: text('status', { enum: ['on_sale', 'off_sale'] })
      .notNull()
      .default('on_sale'),
    /** Higher first in the mini-program list. */
    sort: integer('sort').notNull().default(0),
    /** The lowest SKU list price, kept by the catalogue service: the list sorts and filters on it. */
    minPriceFen: integer('min_price_fen').notNull().default(0),
    /** Units sold (paid orders), shown as 已售 and used to sort by popularity. */
    soldCount: integer('sold_count').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('products_category_idx').on(t.categoryId),
    index('products_listing_idx').on(t.status, t.sort, t.id),
    index('products_price_idx').on(t.status, t.minPriceFen),
  ],
)
export type Product = typeof products.$inferSelect

export const skus = pgTable(
  'skus',
  {
    id: id(),
    productId: ref('product_id')
      .notNull()
      .references(() => products.id),
    /** The variant as shoppers read it, e.g. "50ml" or "红色 / L". */
    spec: text('spec').notNull(),
    priceFen: integer('price_fen').notNull(),
    /** Unit cost, so advocates are judged by the margin they bring, not revenue alone. */
    costFen: integer('cost_fen').notNull().default(0),
    stock: integer('stock').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('skus_product_idx').on(t.productId),
    check('skus_stock_nonnegative', sql`${t.stock} >= 0`),
    check('skus_price_positive', sql`${t.priceFen} > 0`),
    check('skus_cost_nonnegative', sql`${t.costFen} >= 0`),
  ],
)
export type Sku = typeof skus.$inferSelect

/** A member price: what members holding a tier level pay for a SKU (the lowest of their levels wins). */
export const skuMemberPrices = pgTable(
  'sku_member_prices',
  {
    skuId: ref('sku_id')
      .notNull()
      .references(() => skus.id),
    levelId: ref('level_id')
      .notNull()
      .references(() => tierLevels.id),
    priceFen: integer('price_fen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.skuId, t.levelId] }),
    check('sku_member_prices_positive', sql`${t.priceFen} > 0`),
  ],
)
export type SkuMemberPrice = typeof skuMemberPrices.$inferSelect
