// Feedback tickets from chat: the list for operators and closing one with a note.
import { z } from 'zod'
import { listTickets, resolveTicket } from '../../../shared/chat/tickets'
import type { ChatTicket } from '../../../shared/db/schema/chat'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const ticketSchema = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  accountId: z.number().int(),
  chatGroupId: z.number().int().nullable(),
  category: z.string(),
  messages: z.unknown(),
  status: z.string(),
  resolution: z.string().nullable(),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
})

const present = (t: ChatTicket) => ({
  id: t.id,
  memberId: t.memberId,
  accountId: t.accountId,
  chatGroupId: t.chatGroupId,
  category: t.category,
  messages: t.messages,
  status: t.status,
  resolution: t.resolution,
  openedAt: t.openedAt.toISOString(),
  resolvedAt: t.resolvedAt?.toISOString() ?? null,
})

export function registerAdminTickets(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/tickets',
    {
      summary: '聊天反馈工单（投诉、建议、转人工；顾问只见自己账号的）',
      query: z.object({
        status: z.enum(['open', 'resolved']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({
        items: z.array(
          ticketSchema.extend({
            memberNo: z.string(),
            memberName: z.string().nullable(),
            accountName: z.string(),
          }),
        ),
      }),
    },
    async ({ query }, ctx) => ({
      items: (await listTickets(deps.db, { ...query, accountIds: ctx.state.accountScope })).map((r) => ({
        ...present(r.ticket),
        memberNo: r.memberNo,
        memberName: r.memberName,
        accountName: r.accountName,
      })),
    }),
  )

  api.post(
    '/tickets/:id/resolve',
    {
      summary: '处理完毕，关闭工单',
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: z.object({ resolution: z.string().trim().min(1, '请填写处理结果').max(1000) }),
      response: ticketSchema,
    },
    async ({ params, body }, ctx) =>
      present(
        await resolveTicket(deps.db, params.id, {
          operatorId: ctx.state.operator!.id,
          resolution: body.resolution,
          at: deps.clock.now(),
          accountIds: ctx.state.accountScope,
        }),
      ),
  )
}
