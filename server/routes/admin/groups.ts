// The brand's groups for operators: list, set a group's purpose (tier / interest) and capacity, post an
// announcement, invite members (sent by the group's account at its pace).
import { z } from 'zod'
import {
  announce,
  groupOverview,
  inviteToGroup,
  updateGroup,
  type ChatGroup,
} from '../../../shared/chat/groups'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const groupSchema = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  roomId: z.string(),
  topic: z.string(),
  purpose: z.string(),
  tierLevelId: z.number().int().nullable(),
  interest: z.string().nullable(),
  capacity: z.number().int(),
  memberCount: z.number().int(),
  announcement: z.string().nullable(),
  full: z.boolean(),
})

const present = (g: ChatGroup) => ({
  id: g.id,
  accountId: g.accountId,
  roomId: g.roomId,
  topic: g.topic,
  purpose: g.purpose,
  tierLevelId: g.tierLevelId,
  interest: g.interest,
  capacity: g.capacity,
  memberCount: g.memberCount,
  announcement: g.announcement,
  full: g.memberCount >= g.capacity,
})

export function registerAdminGroups(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/groups',
    {
      summary: '社群列表：等级群与兴趣群的人数、待发邀请与待发公告',
      query: z.object({
        accountId: z.coerce.number().int().positive().optional(),
        purpose: z.enum(['tier', 'interest', 'general']).optional(),
      }),
      response: z.object({
        items: z.array(
          groupSchema.extend({
            accountName: z.string(),
            tierName: z.string().nullable(),
            /** Invitations into this group still in the account's outbox. */
            invitesWaiting: z.number().int(),
            /** Announcements queued for the account's paced sender, not posted yet. */
            announcementsWaiting: z.number().int(),
          }),
        ),
      }),
    },
    async ({ query }) => ({
      items: (await groupOverview(deps.db, query)).map((r) => ({
        ...present(r.group),
        accountName: r.accountName,
        tierName: r.tierName,
        invitesWaiting: r.invitesWaiting,
        announcementsWaiting: r.announcementsWaiting,
      })),
    }),
  )

  api.patch(
    '/groups/:id',
    {
      summary: '设置群用途（会员等级群 / 兴趣群）与容量',
      params: idParams,
      body: z
        .object({
          purpose: z.enum(['tier', 'interest', 'general']),
          tierLevelId: z.number().int().positive().nullable(),
          interest: z.string().trim().min(1).max(30).nullable(),
          capacity: z.number().int().min(2).max(500),
        })
        .partial(),
      response: groupSchema,
    },
    async ({ params, body }) => present(await updateGroup(deps.db, params.id, body)),
  )

  api.post(
    '/groups/:id/announcements',
    {
      summary: '发布群公告（由群所属账号按节奏发送）',
      params: idParams,
      body: z.object({ text: z.string().trim().min(1, '公告不能为空').max(1000) }),
      status: 201,
      response: z.object({ outboundId: z.number().int(), queued: z.boolean() }),
    },
    async ({ params, body }) => {
      const { message, created } = await announce(deps.db, params.id, body.text, deps.clock.now())
      return { outboundId: message.id, queued: created }
    },
  )

  api.post(
    '/groups/:id/invites',
    {
      summary: '邀请会员入群（群满时自动开新群）',
      params: idParams,
      body: z.object({ memberIds: z.array(z.number().int().positive()).min(1).max(500) }),
      status: 201,
      response: z.object({ queued: z.number().int() }),
    },
    async ({ params, body }) => inviteToGroup(deps.db, params.id, body.memberIds, deps.clock.now()),
  )
}
