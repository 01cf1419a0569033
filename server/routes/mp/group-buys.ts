// Group buys: campaigns, groups to join, a group's page (opening and joining go through POST /api/mp/orders).
import { z } from 'zod'
import {
  groupShareCodeSchema,
  groupView,
  joinableGroups,
  listGroupBuys,
} from '../../../shared/marketing/group-buy'
import { groupStatuses } from '../../../shared/db/schema/marketing'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const groupBuySchema = z.object({
  id: z.number(),
  title: z.string(),
  skuId: z.number(),
  productId: z.number(),
  productTitle: z.string(),
  image: z.string().nullable(),
  listPriceFen: z.number(),
  groupPriceFen: z.number(),
  groupSize: z.number(),
  fillMinutes: z.number(),
  startsAt: z.string(),
  endsAt: z.string(),
})

const joinableGroupSchema = z.object({
  id: z.number(),
  /** What the group's share page is opened by (`GET /group-buys/groups/{code}`). */
  shareCode: z.string(),
  groupSize: z.number(),
  paidCount: z.number(),
  seatsLeft: z.number(),
  expiresAt: z.string().nullable(),
})

const groupViewSchema = joinableGroupSchema.extend({
  groupBuyId: z.number(),
  status: z.enum(groupStatuses),
  members: z.array(
    z.object({
      nickname: z.string().nullable(),
      avatarUrl: z.string().nullable(),
      joinedAt: z.string(),
      /** The signed-in member is this participant (false for a visitor). */
      isMe: z.boolean(),
    }),
  ),
})

export function registerMpGroupBuys(api: ApiRouter, deps: AppDeps): void {
  api.get('/group-buys', { summary: '进行中的拼团活动', response: z.array(groupBuySchema) }, async () =>
    (await listGroupBuys(deps.db, deps.clock.now())).map((g) => ({
      ...g,
      startsAt: g.startsAt.toISOString(),
      endsAt: g.endsAt.toISOString(),
    })),
  )

  api.get(
    '/group-buys/:id/groups',
    { summary: '可参加的团', params: idParams, response: z.array(joinableGroupSchema) },
    async ({ params }) =>
      (await joinableGroups(deps.db, params.id, deps.clock.now())).map((g) => ({
        id: g.id,
        shareCode: g.shareCode,
        groupSize: g.groupSize,
        paidCount: g.paidCount,
        seatsLeft: g.groupSize - g.seatsTaken,
        expiresAt: g.expiresAt?.toISOString() ?? null,
      })),
  )

  api.get(
    '/group-buys/groups/:code',
    {
      summary: '拼团详情（分享页，访客可看；按分享码打开）',
      params: z.object({ code: groupShareCodeSchema }),
      response: groupViewSchema,
    },
    async ({ params }, ctx) => {
      const view = await groupView(deps.db, params.code)
      // A public page: members are shown by nickname and avatar, never by their id.
      return {
        ...view,
        members: view.members.map((m) => ({
          nickname: m.nickname,
          avatarUrl: m.avatarUrl,
          joinedAt: m.joinedAt,
          isMe: ctx.state.memberId !== undefined && m.memberId === ctx.state.memberId,
        })),
      }
    },
  )
}
