// Feedback caught in chat becomes a ticket for the operators: one open ticket per member, later
// messages appended to it, closed by an operator with a note.
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { botAccounts, chatTickets, type ChatTicket } from '../db/schema/chat'

export interface FeedbackInput {
  memberId: number
  accountId: number
  chatGroupId?: number | null
  category: string
  text: string
  matched: string
  at: Date
}

/** Open a ticket, or add the message to the member's open one. */
export async function recordFeedbackTicket(
  db: Db,
  input: FeedbackInput,
): Promise<{ ticket: ChatTicket; opened: boolean }> {
  const entry = [
    {
      at: input.at.toISOString(),
      text: input.text.slice(0, 1000),
      matched: input.matched,
      category: input.category,
    },
  ]
  for (let attempt = 0; ; attempt++) {
    const [appended] = await db
      .update(chatTickets)
      .set({ messages: sql`${chatTickets.messages} || ${JSON.stringify(entry)}::jsonb` })
      .where(and(eq(chatTickets.memberId, input.memberId), eq(chatTickets.status, 'open')))
      .returning()
    if (appended) return { ticket: appended, opened: false }
    try {
      const [ticket] = await db
        .insert(chatTickets)
        .values({
          memberId: input.memberId,
          accountId: input.accountId,
          chatGroupId: input.chatGroupId ?? null,
          category: input.category,
          messages: entry,
          openedAt: input.at,
        })
        .returning()
      return { ticket: ticket!, opened: true }
    } catch (err) {
      // Another message of the same member opened it a moment ago: append instead.
      if (!isUniqueViolation(err) || attempt > 2) throw err
    }
  }
}

export async function listTickets(
  db: Db,
  filter: {
    status?: 'open' | 'resolved'
    /** Only these bot accounts' tickets (an advisor's scope); every account when absent. */
    accountIds?: number[]
    limit: number
    offset: number
  },
) {
  return db
    .select({
      ticket: chatTickets,
      memberNo: members.memberNo,
      memberName: sql<string | null>`coalesce(${members.name}, ${members.nickname})`,
      accountName: botAccounts.displayName,
    })
    .from(chatTickets)
    .innerJoin(members, eq(members.id, chatTickets.memberId))
    .innerJoin(botAccounts, eq(botAccounts.id, chatTickets.accountId))
    .where(
      and(
        filter.status ? eq(chatTickets.status, filter.status) : undefined,
        filter.accountIds ? inArray(chatTickets.accountId, filter.accountIds) : undefined,
      ),
    )
    .orderBy(desc(chatTickets.openedAt), desc(chatTickets.id))
    .limit(filter.limit)
    .offset(filter.offset)
}

export async function resolveTicket(
  db: Db,
  id: number,
  input: { operatorId: number; resolution: string; at: Date; accountIds?: number[] },
): Promise<ChatTicket> {
  // Out of the operator's scope reads as absent: an advisor learns nothing of other accounts' tickets.
  const inScope = input.accountIds ? inArray(chatTickets.accountId, input.accountIds) : undefined
  const [row] = await db
    .update(chatTickets)
    .set({
      status: 'resolved',
      operatorId: input.operatorId,
      resolution: input.resolution,
      resolvedAt: input.at,
    })
    .where(and(eq(chatTickets.id, id), eq(chatTickets.status, 'open'), inScope))
    .returning()
  if (row) return row
  const [exists] = await db
    .select({ id: chatTickets.id })
    .from(chatTickets)
    .where(and(eq(chatTickets.id, id), inScope))
  if (!exists) throw notFound('工单', 'ticket_not_found')
  throw new DomainError('ticket_already_resolved', '该工单已处理', 409)
}
