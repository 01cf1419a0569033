// Group buys: campaigns, groups to join, a group's page (opening and joining go through POST /api/mp/orders).
import { z } from 'zod'
import { groupView, joinableGroups, listGroupBuys } from '../../../shared/marketing/group-buy'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerMpGroupBuys(api: ApiRouter, deps: AppDeps): void {
  api.get('/group-buys', { summary: '进行中的拼团活动' }, async () =>
    (await listGroupBuys(deps.db, deps.clock.now())).map((g) => ({
      ...g,
      startsAt: g.startsAt.toISOString(),
      endsAt: g.endsAt.toISOString(),
    })),
  )

  api.get('/group-buys/:id/groups', { summary: '可参加的团', params: idParams }, async ({ params }) =>
    (await joinableGroups(deps.db, params.id, deps.clock.now())).map((g) => ({
      id: g.id,
      groupSize: g.groupSize,
      paidCount: g.paidCount,
      seatsLeft: g.groupSize - g.seatsTaken,
      expiresAt: g.expiresAt?.toISOString() ?? null,
    })),
  )

  // Anyone with the link sees who joined by nickname and avatar, never their member ids.
  api.get(
    '/group-buys/groups/:id',
    { summary: '拼团详情（分享页）', params: idParams },
    async ({ params }, ctx) => {
      const view = await groupView(deps.db, params.id)
      return {
        ...view,
        members: view.members.map(({ memberId, ...p }) => ({ ...p, isMe: memberId === ctx.state.memberId })),
      }
    },
  )
}
