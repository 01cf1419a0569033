// The member's shipping addresses.
import { z } from 'zod'
import {
  addressInputSchema,
  deleteAddress,
  listAddresses,
  saveAddress,
} from '../../../shared/orders/addresses'
import { addressSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerMpAddresses(api: ApiRouter, deps: AppDeps): void {
  api.get('/addresses', { summary: '我的收货地址', response: z.array(addressSchema) }, (_i, ctx) =>
    listAddresses(deps.db, ctx.state.memberId!),
  )
  api.post(
    '/addresses',
    { summary: '新增收货地址', body: addressInputSchema, status: 201, response: addressSchema },
    ({ body }, ctx) => saveAddress(deps.db, ctx.state.memberId!, body),
  )
  api.put(
    '/addresses/:id',
    { summary: '修改收货地址', params: idParams, body: addressInputSchema, response: addressSchema },
    ({ params, body }, ctx) => saveAddress(deps.db, ctx.state.memberId!, body, params.id),
  )
  api.delete('/addresses/:id', { summary: '删除收货地址', params: idParams }, async ({ params }, ctx) => {
    await deleteAddress(deps.db, ctx.state.memberId!, params.id, deps.clock.now())
  })
}
