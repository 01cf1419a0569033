// The outbox as operators handle it: how it stands per account, the messages by status, and sending a
// failed or interrupted letter again, giving it up, or cancelling a queued one. An advisor's calls pass the accounts in
// their scope.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { outboundMessages, type OutboundMessage, type OutboundStatus } from '../db/schema/chat'

/** Per account and status: how the outbox stands. */
export async function outboxSummary(db: Db, accountIds?: number[]) {
  return db
    .select({
      accountId: outboundMessages.accountId,
      status: outboundMessages.status,
      count: sql<number>`count(*)::int`,
      nextAt: sql<
        string | null
      >`min(${outboundMessages.notBefore}) filter (where ${outboundMessages.status} = 'queued')`,
    })
    .from(outboundMessages)
    .where(accountIds ? inArray(outboundMessages.accountId, accountIds) : undefined)
    .groupBy(outboundMessages.accountId, outboundMessages.status)
    .orderBy(asc(outboundMessages.accountId), asc(outboundMessages.status))
}

export async function listOutbound(
  db: Db,
  filter: {
    statuses?: OutboundStatus[]
    accountId?: number
    /** Only these bot accounts' messages (an advisor's scope); every account when absent. */
    accountIds?: number[]
    limit: number
    offset: number
  },
) {
  return db
    .select()
    .from(outboundMessages)
    .where(
      and(
        filter.statuses?.length ? inArray(outboundMessages.status, filter.statuses) : undefined,
        filter.accountId ? eq(outboundMessages.accountId, filter.accountId) : undefined,
        filter.accountIds ? inArray(outboundMessages.accountId, filter.accountIds) : undefined,
      ),
    )
    .orderBy(desc(outboundMessages.id))
    .limit(filter.limit)
    .offset(filter.offset)
}

/** An operator sends a dead or failed letter again: back to the queue with fresh attempts. */
export async function retryOutbound(
  db: Db,
  id: number,
  at: Date,
  accountIds?: number[],
): Promise<OutboundMessage> {
  const inScope = accountIds ? inArray(outboundMessages.accountId, accountIds) : undefined
  const [row] = await db
    .update(outboundMessages)
    .set({ status: 'queued', attempts: 0, notBefore: at, claimedBy: null, claimedUntil: null })
    .where(and(eq(outboundMessages.id, id), inArray(outboundMessages.status, ['dead', 'failed']), inScope))
    .returning()
  if (row) return row
  const [exists] = await db
    .select({ status: outboundMessages.status })
    .from(outboundMessages)
    .where(and(eq(outboundMessages.id, id), inScope))
  if (!exists) throw notFound('消息', 'outbound_not_found')
  throw new DomainError(
    'outbound_not_retryable',
    `该消息状态为 ${exists.status}，只能重发失败或中断的消息`,
    409,
  )
}

export async function cancelOutbound(db: Db, id: number, accountIds?: number[]): Promise<OutboundMessage> {
  const inScope = accountIds ? inArray(outboundMessages.accountId, accountIds) : undefined
  const [row] = await db
    .update(outboundMessages)
    .set({ status: 'cancelled', lastError: '运营人员取消' })
    .where(and(eq(outboundMessages.id, id), eq(outboundMessages.status, 'queued'), inScope))
    .returning()
  if (row) return row
  const [exists] = await db
    .select({ status: outboundMessages.status })
    .from(outboundMessages)
    .where(and(eq(outboundMessages.id, id), inScope))
  if (!exists) throw notFound('消息', 'outbound_not_found')
  throw new DomainError(
    'outbound_not_cancellable',
    `该消息状态为 ${exists.status}，只能取消排队中的消息`,
    409,
  )
}

/**
 * An operator gives up on a dead or failed letter: it is cancelled and never sent; why it failed is
 * kept beside the note that it was dropped.
 */
export async function dropOutbound(db: Db, id: number, accountIds?: number[]): Promise<OutboundMessage> {
  const inScope = accountIds ? inArray(outboundMessages.accountId, accountIds) : undefined
  const [row] = await db
    .update(outboundMessages)
    .set({
      status: 'cancelled',
      lastError: sql`left('运营人员放弃重发：' || coalesce(${outboundMessages.lastError}, ''), 500)`,
    })
    .where(and(eq(outboundMessages.id, id), inArray(outboundMessages.status, ['dead', 'failed']), inScope))
    .returning()
  if (row) return row
  const [exists] = await db
    .select({ status: outboundMessages.status })
    .from(outboundMessages)
    .where(and(eq(outboundMessages.id, id), inScope))
  if (!exists) throw notFound('消息', 'outbound_not_found')
  throw new DomainError(
    'outbound_not_droppable',
    `该消息状态为 ${exists.status}，只能放弃失败或中断的消息`,
    409,
  )
}
