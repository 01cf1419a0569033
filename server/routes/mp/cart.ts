// The member's cart.
import { z } from 'zod'
import { setCartItem, viewCart } from '../../../shared/orders/cart'
import { cartViewSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpCart(api: ApiRouter, deps: AppDeps): void {
  api.get('/cart', { summary: '我的购物车', response: cartViewSchema }, (_i, ctx) =>
    viewCart(deps.db, ctx.state.memberId!, deps.clock.now()),
  )

  api.put(
    '/cart/items/:skuId',
    {
      summary: '设置购物车中某规格的数量（0 为移除）',
      params: z.object({ skuId: z.coerce.number().int().positive() }),
      body: z.object({ quantity: z.number().int().min(0).max(99) }),
      response: cartViewSchema,
    },
    async ({ params, body }, ctx) => {
      await setCartItem(deps.db, ctx.state.memberId!, params.skuId, body.quantity, deps.clock.now())
      return viewCart(deps.db, ctx.state.memberId!, deps.clock.now())
    },
  )
}
