// The paced outbox for operators: how each account's queue stands, the messages (dead letters among
// them), and sending one again or cancelling it.
import { z } from 'zod'
import {
  cancelOutbound,
  dropOutbound,
  listOutbound,
  outboxSummary,
  retryOutbound,
} from '../../../shared/chat/outbox-desk'
import { outboundStatuses, type OutboundMessage } from '../../../shared/db/schema/chat'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const messageSchema = z.object({
  id: z.number().int(),
  dedupeKey: z.string(),
  accountId: z.number().int(),
  memberId: z.number().int().nullable(),
  chatGroupId: z.number().int().nullable(),
  kind: z.string(),
  text: z.string(),
  source: z.string(),
  campaignRunId: z.number().int().nullable(),
  status: z.string(),
  notBefore: z.string(),
  attempts: z.number().int(),
  sentAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
})

const present = (m: OutboundMessage) => ({
  id: m.id,
  dedupeKey: m.dedupeKey,
  accountId: m.accountId,
  memberId: m.memberId,
  chatGroupId: m.chatGroupId,
  kind: m.kind,
  text: m.text,
  source: m.source,
  campaignRunId: m.campaignRunId,
  status: m.status,
  notBefore: m.notBefore.toISOString(),
  attempts: m.attempts,
  sentAt: m.sentAt?.toISOString() ?? null,
  lastError: m.lastError,
  createdAt: m.createdAt.toISOString(),
})

const statusList = z
  .string()
  .transform((v) => v.split(',').filter(Boolean))
  .pipe(z.array(z.enum(outboundStatuses)))

export function registerAdminOutbox(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/outbox/summary',
    {
      summary: '各账号发送队列概况',
      response: z.object({
        items: z.array(
          z.object({
            accountId: z.number().int(),
            status: z.string(),
            count: z.number().int(),
            nextAt: z.string().nullable(),
          }),
        ),
      }),
    },
    async (_input, ctx) => ({
      items: (await outboxSummary(deps.db, ctx.state.accountScope)).map((r) => ({
        ...r,
        nextAt: r.nextAt ? new Date(r.nextAt).toISOString() : null,
      })),
    }),
  )

  api.get(
    '/outbox',
    {
      summary: '发送队列消息（status=dead,failed 即死信）',
      query: z.object({
        status: statusList.optional(),
        accountId: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({ items: z.array(messageSchema) }),
    },
    async ({ query }, ctx) => ({
      items: (
        await listOutbound(deps.db, {
          statuses: query.status,
          accountId: query.accountId,
          accountIds: ctx.state.accountScope,
          limit: query.limit,
          offset: query.offset,
        })
      ).map(present),
    }),
  )

  api.post(
    '/outbox/:id/retry',
    { summary: '重发失败或中断的消息', params: idParams, response: messageSchema },
    async ({ params }, ctx) =>
      present(await retryOutbound(deps.db, params.id, deps.clock.now(), ctx.state.accountScope)),
  )

  api.post(
    '/outbox/:id/cancel',
    { summary: '取消排队中的消息', params: idParams, response: messageSchema },
    async ({ params }, ctx) => present(await cancelOutbound(deps.db, params.id, ctx.state.accountScope)),
  )

  api.post(
    '/outbox/:id/drop',
    { summary: '放弃失败或中断的消息（不再发送）', params: idParams, response: messageSchema },
    async ({ params }, ctx) => present(await dropOutbound(deps.db, params.id, ctx.state.accountScope)),
  )
}
