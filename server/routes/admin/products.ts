// Operators' catalogue: categories, brands, products, SKUs, stock and member prices.
import { z } from 'zod'
import {
  addSku,
  adminProductQuerySchema,
  brandViewSchema,
  categoryViewSchema,
  listPriceLevels,
  priceLevelSchema,
  productListSchema,
  productViewSchema,
  categoryInputSchema,
  createBrand,
  createCategory,
  createProduct,
  getProductForOperator,
  listBrands,
  listProductsForOperator,
  productInputSchema,
  productPatchSchema,
  skuInputSchema,
  skuPatchSchema,
  updateProduct,
  updateSku,
} from '../../../shared/catalog/admin'
import { listCategories } from '../../../shared/catalog/browse'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminProducts(api: ApiRouter, deps: AppDeps): void {
  api.get('/categories', { summary: '商品分类', response: z.array(categoryViewSchema) }, () =>
    listCategories(deps.db),
  )
  api.post(
    '/categories',
    { summary: '新增分类', body: categoryInputSchema, status: 201, response: categoryViewSchema },
    ({ body }) => createCategory(deps.db, body),
  )
  api.get('/brands', { summary: '品牌', response: z.array(brandViewSchema) }, () => listBrands(deps.db))
  api.post(
    '/brands',
    {
      summary: '新增品牌',
      body: z.object({ name: z.string().trim().min(1).max(50) }),
      status: 201,
      response: brandViewSchema,
    },
    ({ body }) => createBrand(deps.db, body.name),
  )
  api.get(
    '/catalog/price-levels',
    { summary: '可设置会员价的会员等级', response: z.array(priceLevelSchema) },
    () => listPriceLevels(deps.db),
  )
  api.get(
    '/products',
    { summary: '商品列表', query: adminProductQuerySchema, response: productListSchema },
    ({ query }) => listProductsForOperator(deps.db, query),
  )
  api.post(
    '/products',
    {
      summary: '新增商品（含规格与会员价）',
      body: productInputSchema,
      status: 201,
      response: productViewSchema,
    },
    ({ body }) => createProduct(deps.db, body),
  )
  api.get(
    '/products/:id',
    { summary: '商品详情', params: idParams, response: productViewSchema },
    ({ params }) => getProductForOperator(deps.db, params.id),
  )
  api.patch(
    '/products/:id',
    {
      summary: '修改商品（上下架、标题、分类…）',
      params: idParams,
      body: productPatchSchema,
      response: productViewSchema,
    },
    ({ params, body }) => updateProduct(deps.db, params.id, body),
  )
  api.post(
    '/products/:id/skus',
    { summary: '新增规格', params: idParams, body: skuInputSchema, status: 201, response: productViewSchema },
    ({ params, body }) => addSku(deps.db, params.id, body),
  )
  api.patch(
    '/skus/:id',
    {
      summary: '修改规格：价格、成本、库存（或增减）、会员价',
      params: idParams,
      body: skuPatchSchema,
      response: productViewSchema,
    },
    ({ params, body }) => updateSku(deps.db, params.id, body),
  )
}
