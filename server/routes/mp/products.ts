// The catalogue in the mini-program: categories, product list (search, filters, sort, pages), detail.
import { z } from 'zod'
import {
  listCategories,
  listProducts,
  productCardSchema,
  productDetail,
  productDetailSchema,
  productListQuerySchema,
} from '../../../shared/catalog/browse'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerMpProducts(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/categories',
    {
      summary: '商品分类',
      response: z.array(
        z.object({ id: z.number(), name: z.string(), parentId: z.number().nullable(), sort: z.number() }),
      ),
    },
    () => listCategories(deps.db),
  )

  api.get(
    '/products',
    {
      summary: '商品列表（搜索、筛选、排序、分页；含会员价）',
      query: productListQuerySchema,
      response: z.object({
        items: z.array(productCardSchema),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
    },
    ({ query }, ctx) => listProducts(deps.db, query, { memberId: ctx.state.memberId, at: deps.clock.now() }),
  )

  api.get(
    '/products/:id',
    { summary: '商品详情（含各规格会员价与库存）', params: idParams, response: productDetailSchema },
    ({ params }, ctx) =>
      productDetail(deps.db, params.id, { memberId: ctx.state.memberId, at: deps.clock.now() }),
  )
}
