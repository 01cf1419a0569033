// Which personal account is a member's advisor (专属顾问): new members go to the account with the
// fewest members that still has room; when an account is banned its members move to the others, each
// move recorded and flagged for an operator to re-add the member from the new account.
import { and, asc, eq, isNull, notInArray, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { advisorReassignments, botAccounts, outboundMessages } from '../db/schema/chat'

const UNASSIGNABLE = ['banned', 'disabled'] as const

/** Accounts that can take members, with their current load, least loaded first. */
export async function accountLoads(db: Db, exclude: number[] = []) {
  const load = sql<number>`(select count(*)::int from ${members} m where m.advisor_account_id = ${botAccounts.id} and m.merged_into_id is null)`
  return db
    .select({
      id: botAccounts.id,
      displayName: botAccounts.displayName,
      capacity: botAccounts.friendCapacity,
      load,
    })
    .from(botAccounts)
    .where(
      and(
        notInArray(botAccounts.state, [...UNASSIGNABLE]),
        exclude.length ? notInArray(botAccounts.id, exclude) : undefined,
      ),
    )
    .orderBy(asc(load), asc(botAccounts.id))
}

/** The member's advisor account, assigning the least-loaded account with room if they have none. */
export async function assignAdvisor(db: Db, memberId: number, at: Date): Promise<number> {
  const [member] = await db
    .select({ advisorAccountId: members.advisorAccountId })
    .from(members)
    .where(and(eq(members.id, memberId), isNull(members.mergedIntoId)))
  if (!member) throw notFound('会员', 'member_not_found')
  if (member.advisorAccountId) return member.advisorAccountId
  const candidate = (await accountLoads(db)).find((a) => a.load < a.capacity)
  if (!candidate) throw new DomainError('no_advisor_available', '顾问账号都已满员，请稍后再试', 409)
  // Only set it if nobody else did meanwhile.
  const [updated] = await db
    .update(members)
    .set({ advisorAccountId: candidate.id, updatedAt: at })
    .where(and(eq(members.id, memberId), isNull(members.advisorAccountId)))
    .returning({ advisorAccountId: members.advisorAccountId })
  if (updated) return updated.advisorAccountId!
  return assignAdvisor(db, memberId, at)
}

export interface BanSummary {
  moved: number
  unplaced: number
  cancelledMessages: number
}

/**
 * Mark an account banned and move its members to the other accounts (least load first, within
 * capacity). Each move is recorded with the re-add flagged; its queued messages are cancelled.
 */
export async function banAccount(
  db: Db,
  accountId: number,
  at: Date,
  reason = '账号被封',
): Promise<BanSummary> {
  return db.transaction(async (tx) => {
    const [account] = await tx.select().from(botAccounts).where(eq(botAccounts.id, accountId)).for('update')
    if (!account) throw notFound('顾问账号', 'account_not_found')
    await tx
      .update(botAccounts)
      .set({ state: 'banned', lastError: reason, leaseOwner: null, leaseExpiresAt: null })
      .where(eq(botAccounts.id, accountId))
    const stranded = await tx
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.advisorAccountId, accountId), isNull(members.mergedIntoId)))
      .orderBy(asc(members.id))
    const targets = (await accountLoads(tx as unknown as Db, [accountId])).map((a) => ({ ...a }))
    let moved = 0
    let unplaced = 0
    for (const m of stranded) {
      targets.sort((a, b) => a.load - b.load || a.id - b.id)
      const to = targets.find((t) => t.load < t.capacity)
      if (to) to.load++
      await tx
        .update(members)
        .set({ advisorAccountId: to?.id ?? null, updatedAt: at })
        .where(eq(members.id, m.id))
      await tx.insert(advisorReassignments).values({
        memberId: m.id,
        fromAccountId: accountId,
        toAccountId: to?.id ?? null,
        reason,
        createdAt: at,
      })
      if (to) moved++
      else unplaced++
    }
    const cancelled = await tx
      .update(outboundMessages)
      .set({ status: 'cancelled', lastError: `${reason}，消息未发送` })
      .where(and(eq(outboundMessages.accountId, accountId), eq(outboundMessages.status, 'queued')))
      .returning({ id: outboundMessages.id })
    return { moved, unplaced, cancelledMessages: cancelled.length }
  })
}

/** Reassignments still waiting for an operator to re-add the member from the new account. */
/** With the member's number and name and both accounts' names, for the operator's checklist. */
export async function pendingReadds(
  db: Db,
  filter: { fromAccountId?: number; limit?: number; offset?: number } = {},
) {
  const from = alias(botAccounts, 'from_account')
  const to = alias(botAccounts, 'to_account')
  return db
    .select({
      id: advisorReassignments.id,
      memberId: advisorReassignments.memberId,
      memberNo: members.memberNo,
      memberName: sql<string | null>`coalesce(${members.name}, ${members.nickname})`,
      fromAccountId: advisorReassignments.fromAccountId,
      fromAccountName: from.displayName,
      toAccountId: advisorReassignments.toAccountId,
      toAccountName: to.displayName,
      reason: advisorReassignments.reason,
      createdAt: advisorReassignments.createdAt,
    })
    .from(advisorReassignments)
    .innerJoin(members, eq(members.id, advisorReassignments.memberId))
    .innerJoin(from, eq(from.id, advisorReassignments.fromAccountId))
    .leftJoin(to, eq(to.id, advisorReassignments.toAccountId))
    .where(
      and(
        eq(advisorReassignments.readdPending, true),
        filter.fromAccountId ? eq(advisorReassignments.fromAccountId, filter.fromAccountId) : undefined,
      ),
    )
    .orderBy(asc(advisorReassignments.createdAt), asc(advisorReassignments.id))
    .limit(filter.limit ?? 200)
    .offset(filter.offset ?? 0)
}

export async function markReaddDone(db: Db, id: number, at: Date) {
  const [row] = await db
    .update(advisorReassignments)
    .set({ readdPending: false, readdDoneAt: at })
    .where(eq(advisorReassignments.id, id))
    .returning()
  if (!row) throw notFound('转移记录', 'reassignment_not_found')
  return row
}
