// Feedback caught in chat becomes a ticket for the operators: one open ticket per member, later
// messages appended to it, taken by an operator (assigned), annotated with their notes until chat
// replies exist, closed with a note.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { operators } from '../db/schema/auth'
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
  filter: { status?: 'open' | 'resolved'; memberId?: number; limit: number; offset: number },
) {
  return db
    .select({
      ticket: chatTickets,
      memberNo: members.memberNo,
      memberName: sql<string | null>`coalesce(${members.name}, ${members.nickname})`,
      accountName: botAccounts.displayName,
      operatorName: operators.displayName,
    })
    .from(chatTickets)
    .innerJoin(members, eq(members.id, chatTickets.memberId))
    .innerJoin(botAccounts, eq(botAccounts.id, chatTickets.accountId))
    .leftJoin(operators, eq(operators.id, chatTickets.operatorId))
    .where(
      and(
        filter.status ? eq(chatTickets.status, filter.status) : undefined,
        filter.memberId ? eq(chatTickets.memberId, filter.memberId) : undefined,
      ),
    )
    .orderBy(desc(chatTickets.openedAt), desc(chatTickets.id))
    .limit(filter.limit)
    .offset(filter.offset)
}

export async function resolveTicket(
  db: Db,
  id: number,
  input: { operatorId: number; resolution: string; at: Date },
): Promise<ChatTicket> {
  const [row] = await db
    .update(chatTickets)
    .set({
      status: 'resolved',
      operatorId: input.operatorId,
      resolution: input.resolution,
      resolvedAt: input.at,
    })
    .where(and(eq(chatTickets.id, id), eq(chatTickets.status, 'open')))
    .returning()
  if (row) return row
  const [exists] = await db.select({ id: chatTickets.id }).from(chatTickets).where(eq(chatTickets.id, id))
  if (!exists) throw notFound('工单', 'ticket_not_found')
  throw new DomainError('ticket_already_resolved', '该工单已处理', 409)
}

/** An open ticket, or why not: missing (404) or already closed (409). */
async function openTicketOrThrow(db: Db, id: number): Promise<void> {
  const [row] = await db
    .select({ status: chatTickets.status })
    .from(chatTickets)
    .where(eq(chatTickets.id, id))
  if (!row) throw notFound('工单', 'ticket_not_found')
  if (row.status !== 'open') throw new DomainError('ticket_already_resolved', '该工单已处理', 409)
}

/** Gives an open ticket to an operator (or to nobody, with null). */
export async function assignTicket(db: Db, id: number, operatorId: number | null): Promise<ChatTicket> {
  if (operatorId !== null) {
    const [op] = await db.select({ id: operators.id }).from(operators).where(eq(operators.id, operatorId))
    if (!op)
      throw new DomainError('operator_not_found', '运营人员不存在', 400, [
        { path: 'body.operatorId', message: '运营人员不存在' },
      ])
  }
  const [row] = await db
    .update(chatTickets)
    .set({ operatorId })
    .where(and(eq(chatTickets.id, id), eq(chatTickets.status, 'open')))
    .returning()
  if (row) return row
  await openTicketOrThrow(db, id)
  throw new Error('unreachable: the ticket is open but was not updated')
}

/** An operator's note on an open ticket, kept in its history after the messages that opened it. */
export async function noteTicket(
  db: Db,
  id: number,
  input: { operatorId: number; text: string; at: Date },
): Promise<ChatTicket> {
  const entry = [{ at: input.at.toISOString(), text: input.text, note: true, operatorId: input.operatorId }]
  const [row] = await db
    .update(chatTickets)
    .set({ messages: sql`${chatTickets.messages} || ${JSON.stringify(entry)}::jsonb` })
    .where(and(eq(chatTickets.id, id), eq(chatTickets.status, 'open')))
    .returning()
  if (row) return row
  await openTicketOrThrow(db, id)
  throw new Error('unreachable: the ticket is open but was not updated')
}
