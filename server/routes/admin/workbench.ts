// The chat workbench for operators and advisors: the conversations (members waiting for an answer
// first), one member's thread beside their card, a reply through the member's own advisor account's
// paced outbox, quick replies, and a feedback ticket opened from the thread. An advisor reaches only
// the members of the accounts they serve (the list is scoped; one member's operations are refused).
import { z } from 'zod'
import {
  conversationCard,
  conversationCardSchema,
  conversationListSchema,
  conversationThread,
  listConversations,
  openTicketFromChat,
  quickReplies,
  quickReplySchema,
  replyInputSchema,
  sendOperatorReply,
  threadItemSchema,
  threadPageSchema,
  ticketInputSchema,
} from '../../../shared/chat/workbench'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const memberParams = z.object({ memberId: z.coerce.number().int().positive('会员编号不正确') })

export function registerAdminWorkbench(api: ApiRouter, deps: AppDeps): void {
  const { db, clock } = deps

  api.get(
    '/conversations',
    {
      summary: '聊天会话（待回复的在前；顾问只见自己账号的会员）',
      query: z.object({
        unanswered: z.enum(['true', 'false']).default('false'),
        /** Conversations with a 1:1 message in the last so many days. */
        days: z.coerce.number().int().min(1).max(365).default(30),
        q: z.string().trim().max(50).optional(),
        accountId: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        offset: z.coerce.number().int().min(0).max(100_000).default(0),
      }),
      response: conversationListSchema,
    },
    ({ query }, ctx) =>
      listConversations(db, {
        since: new Date(clock.now().getTime() - query.days * 86_400_000),
        unansweredOnly: query.unanswered === 'true',
        ...(query.q ? { q: query.q } : {}),
        ...(query.accountId ? { accountId: query.accountId } : {}),
        ...(ctx.state.accountScope ? { accountIds: ctx.state.accountScope } : {}),
        limit: query.limit,
        offset: query.offset,
      }),
  )

  api.get(
    '/conversations/:memberId',
    {
      summary: '会话中的会员卡片：等级、积分、阶段、最近订单、待处理工单、标签，能否回复',
      params: memberParams,
      response: conversationCardSchema,
    },
    ({ params }) => conversationCard(db, params.memberId, clock.now()),
  )

  api.get(
    '/conversations/:memberId/messages',
    {
      summary: '与会员的一对一聊天记录（含发送队列中的回复，按时间倒序分页）',
      params: memberParams,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(30),
        cursor: z.string().max(200).optional(),
      }),
      response: threadPageSchema,
    },
    ({ params, query }) =>
      conversationThread(db, params.memberId, { limit: query.limit, cursor: query.cursor ?? null }),
  )

  api.post(
    '/conversations/:memberId/messages',
    {
      summary: '回复会员：经会员的专属顾问账号按节奏发送（同一 clientKey 只排队一次）',
      params: memberParams,
      body: replyInputSchema,
      response: threadItemSchema,
      status: 201,
    },
    async ({ params, body }, ctx) => {
      const { message } = await sendOperatorReply(db, {
        memberId: params.memberId,
        text: body.text,
        clientKey: body.clientKey,
        operatorId: ctx.state.operator!.id,
        at: clock.now(),
      })
      const page = await conversationThread(db, params.memberId, { limit: 100 })
      const shown = page.items.find((i) => i.outboxId === message.id)
      return (
        shown ?? {
          key: `outbox:${message.id}`,
          at: message.createdAt.toISOString(),
          direction: 'out' as const,
          text: message.text,
          messageType: 'text',
          accountId: message.accountId,
          accountName: null,
          origin: message.source,
          status: message.status,
          outboxId: message.id,
          operatorName: ctx.state.operator!.displayName,
          error: message.lastError,
        }
      )
    },
  )

  api.get(
    '/conversations/:memberId/quick-replies',
    {
      summary: '快捷回复：按该会员填好的积分、会员卡、订单答复',
      params: memberParams,
      response: z.object({ items: z.array(quickReplySchema) }),
    },
    async ({ params }) => ({ items: await quickReplies(db, params.memberId, clock.now()) }),
  )

  api.post(
    '/conversations/:memberId/tickets',
    {
      summary: '从会话开反馈工单（每位会员同时只有一张待处理工单）',
      params: memberParams,
      body: ticketInputSchema,
      response: z.object({
        id: z.number().int(),
        category: z.string(),
        status: z.string(),
        openedAt: z.string(),
      }),
      status: 201,
    },
    async ({ params, body }) => {
      const ticket = await openTicketFromChat(db, { memberId: params.memberId, ...body, at: clock.now() })
      return {
        id: ticket.id,
        category: ticket.category,
        status: ticket.status,
        openedAt: ticket.openedAt.toISOString(),
      }
    },
  )
}
