// Bargains in the mini-program: campaigns on now, start one, the bargain's share page, a friend's cut.
// Buying at the price reached goes through POST /api/mp/orders with `bargain: { bargainId }`.
import { z } from 'zod'
import { bargainView, listBargainCampaigns, myBargains, startBargain } from '../../../shared/bargain/service'
import { helpFriendsBargain } from '../../../shared/flows/bargain-helped'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const campaignSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  skuId: z.number().int(),
  productId: z.number().int(),
  productTitle: z.string(),
  image: z.string().nullable(),
  listPriceFen: z.number().int(),
  floorPriceFen: z.number().int(),
  helpersNeeded: z.number().int(),
  bargainHours: z.number().int(),
  stockLeft: z.number().int(),
  startsAt: z.string(),
  endsAt: z.string(),
})

export const bargainViewSchema = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  title: z.string(),
  productId: z.number().int(),
  productTitle: z.string(),
  image: z.string().nullable(),
  starterNickname: z.string().nullable(),
  /** The viewer started it (show "share" and "buy"); otherwise they are a friend (show "help"). */
  mine: z.boolean(),
  listPriceFen: z.number().int(),
  floorPriceFen: z.number().int(),
  /** The price reached so far. */
  priceFen: z.number().int(),
  helpersNeeded: z.number().int(),
  helpersCount: z.number().int(),
  status: z.enum(['open', 'reached', 'ordered', 'expired']),
  expiresAt: z.string(),
  canHelp: z.boolean(),
  canBuy: z.boolean(),
  helpers: z.array(
    z.object({
      nickname: z.string(),
      avatarUrl: z.string().nullable(),
      cutFen: z.number().int(),
      at: z.string(),
    }),
  ),
})

export function registerMpBargains(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/bargain-campaigns',
    { summary: '进行中的砍价活动', response: z.array(campaignSchema) },
    async () =>
      (await listBargainCampaigns(deps.db, deps.clock.now())).map(
        ({ endedAt: _ended, totalStock: _total, ...c }) => ({
          ...c,
          startsAt: c.startsAt.toISOString(),
          endsAt: c.endsAt.toISOString(),
        }),
      ),
  )

  api.post(
    '/bargain-campaigns/:id/start',
    {
      summary: '发起砍价（已有进行中的砍价则返回它）',
      params: idParams,
      response: bargainViewSchema,
      status: 201,
    },
    async ({ params }, ctx) => {
      const at = deps.clock.now()
      const b = await startBargain(deps.db, { campaignId: params.id, memberId: ctx.state.memberId!, at })
      return bargainView(deps.db, b.id, ctx.state.memberId!, at)
    },
  )

  api.get(
    '/bargains',
    { summary: '我发起的砍价', response: z.array(bargainViewSchema) },
    async (_input, ctx) => {
      const at = deps.clock.now()
      const mine = await myBargains(deps.db, ctx.state.memberId!)
      return Promise.all(mine.map((b) => bargainView(deps.db, b.id, ctx.state.memberId!, at)))
    },
  )

  api.get(
    '/bargains/:id',
    { summary: '砍价详情（分享页：好友打开即可帮砍）', params: idParams, response: bargainViewSchema },
    ({ params }, ctx) => bargainView(deps.db, params.id, ctx.state.memberId!, deps.clock.now()),
  )

  api.post(
    '/bargains/:id/help',
    {
      summary: '帮好友砍一刀（每人每个砍价一次，发起人不能自己砍）',
      description: '新会员通过好友的砍价进入时，按推荐规则归属给发起人。',
      params: idParams,
      response: z.object({ cutFen: z.number().int(), bargain: bargainViewSchema }),
    },
    async ({ params }, ctx) => {
      const at = deps.clock.now()
      const { help } = await helpFriendsBargain(deps.db, {
        bargainId: params.id,
        helperId: ctx.state.memberId!,
        at,
      })
      return { cutFen: help.cutFen, bargain: await bargainView(deps.db, params.id, ctx.state.memberId!, at) }
    },
  )
}
