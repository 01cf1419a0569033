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
import { cachedCatalogue } from '../../read-cache'

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
    (_input, ctx) => cachedCatalogue(deps, ctx, 'categories', () => listCategories(deps.db)),
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
    ({ query }, ctx) => {
      const viewer = { levelIds: ctx.state.levelIds ?? [] }
      return cachedCatalogue(deps, ctx, `list:${viewer.levelIds.join(',')}:${JSON.stringify(query)}`, () =>
        listProducts(deps.db, query, viewer),
      )
    },
  )

  api.get(
    '/products/:id',
    { summary: '商品详情（含各规格会员价与库存）', params: idParams, response: productDetailSchema },
    ({ params }, ctx) => {
      const viewer = { levelIds: ctx.state.levelIds ?? [] }
      return cachedCatalogue(deps, ctx, `detail:${viewer.levelIds.join(',')}:${params.id}`, () =>
        productDetail(deps.db, params.id, viewer),
      )
    },
  )
}
