// The paced outbox: rows move queued → claimed → sending → sent (or skipped, failed, dead, cancelled),
// each move a conditional update, so a crashed process can be restarted at any point without anyone
// receiving a message twice. A claim that expires before the message was handed to the puppet goes
// back to the queue; one that expires after ('sending') might have left, so it becomes a dead letter
// for an operator to look at instead of being sent again. What operators see and do with it
// (summary, list, retry, cancel): outbox-desk.ts.
import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core'
import { queryRows, type Db } from '../db/client'
import { notFound } from '../errors'
import {
  botAccounts,
  outboundMessages,
  type OutboundMessage,
  type OutboundPayload,
  type OutboundStatus,
} from '../db/schema/chat'
import {
  accountPacingState,
  accountPolicy,
  latestPause,
  recordFailedSend,
  recordLimited,
  repeatedlyLimited,
  retryAt,
  type ActionKind,
  type PacingPolicy,
  type PacingState,
} from './pacing'

export type OutboundKind = OutboundMessage['kind']

export interface EnqueueInput {
  dedupeKey: string
  accountId: number
  kind: OutboundKind
  payload?: OutboundPayload | null
  memberId?: number | null
  chatGroupId?: number | null
  text: string
  /** campaign, notice, welcome, announcement, invite, operator */
  source: string
  campaignRunId?: number | null
  notBefore?: Date
  priority?: number
  /** The pacing action kind, when the writer knows better than the default (an operator answering a member who just wrote: reply). */
  action?: ActionKind
}

/** Queue a message once per dedupe key. Returns the row and whether this call created it. */
export async function enqueueOutbound(
  db: Db,
  input: EnqueueInput,
): Promise<{ message: OutboundMessage; created: boolean }> {
  const [row] = await db
    .insert(outboundMessages)
    .values({
      dedupeKey: input.dedupeKey,
      accountId: input.accountId,
      kind: input.kind,
      payload: input.payload ?? null,
      memberId: input.memberId ?? null,
      chatGroupId: input.chatGroupId ?? null,
      text: input.text,
      source: input.source,
      campaignRunId: input.campaignRunId ?? null,
      priority: input.priority ?? 0,
      ...(input.action ? { action: input.action } : {}),
      ...(input.notBefore ? { notBefore: input.notBefore } : {}),
    })
    .onConflictDoNothing({ target: outboundMessages.dedupeKey })
    .returning()
  if (row) return { message: row, created: true }
  const [existing] = await db
    .select()
    .from(outboundMessages)
    .where(eq(outboundMessages.dedupeKey, input.dedupeKey))
  return { message: existing!, created: false }
}

/**
 * Claim the account's next due message among the action kinds the pacing rules allow now, if this
 * process holds the account's lease: one statement, `FOR UPDATE SKIP LOCKED`, so two claimers never
 * take the same row nor wait on each other.
 */
export async function claimNextDue(
  db: Db,
  input: { accountId: number; owner: string; actions: ActionKind[]; now: Date; claimTtlMs: number },
): Promise<OutboundMessage | null> {
  const kinds = input.actions
  if (kinds.length === 0) return null
  const now = input.now.toISOString()
  const until = new Date(input.now.getTime() + input.claimTtlMs).toISOString()
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with due as (
      select o.id from outbound_messages o
      where o.account_id = ${input.accountId} and o.status = 'queued' and o.not_before <= ${now}::timestamptz
        and o.action in (${sql.join(
          kinds.map((k) => sql`${k}`),
          sql`, `,
        )})
        and exists (select 1 from bot_accounts a where a.id = ${input.accountId} and a.lease_owner = ${input.owner} and a.lease_expires_at > ${now}::timestamptz)
      order by o.priority desc, o.not_before, o.id
      limit 1
      for update of o skip locked)
    update outbound_messages m
    set status = 'claimed', claimed_by = ${input.owner}, claimed_until = ${until}::timestamptz, attempts = m.attempts + 1
    from due where m.id = due.id and m.status = 'queued'
    returning m.*`,
  )
  return rows[0] ? toMessage(rows[0]) : null
}

/** A raw outbound_messages row (snake_case) as the schema's type. */
function toMessage(r: Record<string, unknown>): OutboundMessage {
  const date = (v: unknown) =>
    v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v))
  return {
    id: Number(r.id),
    dedupeKey: String(r.dedupe_key),
    accountId: Number(r.account_id),
    memberId: r.member_id === null ? null : Number(r.member_id),
    chatGroupId: r.chat_group_id === null ? null : Number(r.chat_group_id),
    kind: r.kind as OutboundMessage['kind'],
    action: r.action as ActionKind,
    payload: (r.payload as OutboundPayload | null) ?? null,
    text: String(r.text),
    source: String(r.source),
    campaignRunId: r.campaign_run_id === null ? null : Number(r.campaign_run_id),
    status: r.status as OutboundStatus,
    priority: Number(r.priority),
    notBefore: date(r.not_before)!,
    attempts: Number(r.attempts),
    claimedBy: (r.claimed_by as string | null) ?? null,
    claimedUntil: date(r.claimed_until),
    sentAt: date(r.sent_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: date(r.created_at)!,
  }
}

/** When each action kind's earliest queued message becomes due (absent: nothing queued of that kind). */
export async function earliestQueued(db: Db, accountId: number): Promise<Partial<Record<ActionKind, Date>>> {
  const rows = await db
    .select({ action: outboundMessages.action, at: sql<string>`min(${outboundMessages.notBefore})` })
    .from(outboundMessages)
    .where(and(eq(outboundMessages.accountId, accountId), eq(outboundMessages.status, 'queued')))
    .groupBy(outboundMessages.action)
  return Object.fromEntries(rows.map((r) => [r.action, new Date(r.at)]))
}

/**
 * About to hand the message to the puppet: mark it 'sending' and store the account's pacing state after
 * this send (its jittered gap and the day's count), in one statement. False if the claim was lost.
 * The caller holds the account's lease, so nobody else moves the pacing state meanwhile.
 */
export async function markSending(
  db: Db,
  input: { message: OutboundMessage; owner: string; now: Date; claimTtlMs: number; next: PacingState },
): Promise<boolean> {
  const until = new Date(input.now.getTime() + input.claimTtlMs).toISOString()
  const rows = await queryRows<{ id: number }>(
    db,
    sql`with moved as (
      update outbound_messages set status = 'sending', claimed_until = ${until}::timestamptz
      where id = ${input.message.id} and status = 'claimed' and claimed_by = ${input.owner}
      returning account_id)
    update bot_accounts a set
      pacing_state = ${JSON.stringify(input.next)}::jsonb,
      last_sent_at = ${input.now.toISOString()}::timestamptz
    from moved where a.id = moved.account_id
    returning a.id`,
  )
  return rows.length > 0
}

async function transition(
  db: Db,
  id: number,
  from: OutboundStatus[],
  values: PgUpdateSetSource<typeof outboundMessages>,
): Promise<boolean> {
  const rows = await db
    .update(outboundMessages)
    .set(values)
    .where(and(eq(outboundMessages.id, id), inArray(outboundMessages.status, from)))
    .returning({ id: outboundMessages.id })
  return rows.length > 0
}

export const markSent = (db: Db, id: number, at: Date) =>
  transition(db, id, ['sending'], { status: 'sent', sentAt: at, claimedUntil: null, lastError: null })

/** Not sent, on purpose (opted out, member gone): final, not a failure. */
export const markSkipped = (db: Db, id: number, reason: string) =>
  transition(db, id, ['claimed', 'sending'], { status: 'skipped', lastError: reason, claimedUntil: null })

/** Cannot be sent at all (not a friend of this account, group gone): final, listed for operators. */
export const markUndeliverable = (db: Db, id: number, reason: string) =>
  transition(db, id, ['claimed', 'sending'], { status: 'failed', lastError: reason, claimedUntil: null })

/** Not possible yet (e.g. a new group needs a second invitee): back to the queue, no attempt used. */
export const markDeferred = (db: Db, id: number, until: Date, reason: string) =>
  transition(db, id, ['claimed', 'sending'], {
    status: 'queued',
    notBefore: until,
    lastError: reason,
    claimedBy: null,
    claimedUntil: null,
    attempts: sql`greatest(${outboundMessages.attempts} - 1, 0)`,
  })

/** A queued invitation carried out together with another one (both joined the new group). */
export const markCompanionSent = (db: Db, id: number, at: Date) =>
  transition(db, id, ['queued'], {
    status: 'sent',
    sentAt: at,
    attempts: sql`${outboundMessages.attempts} + 1`,
    lastError: null,
  })

/** A send failed: retried later with back-off, or a dead letter after the policy's last attempt. */
export async function markAttemptFailed(
  db: Db,
  message: OutboundMessage,
  policy: PacingPolicy,
  error: string,
  at: Date,
): Promise<'retry' | 'dead'> {
  if (message.attempts >= policy.maxAttempts) {
    await transition(db, message.id, ['claimed', 'sending'], {
      status: 'dead',
      lastError: error,
      claimedUntil: null,
    })
    return 'dead'
  }
  await transition(db, message.id, ['claimed', 'sending'], {
    status: 'queued',
    lastError: error,
    claimedBy: null,
    claimedUntil: null,
    notBefore: retryAt(policy, message.attempts, at),
  })
  return 'retry'
}

/**
 * A send failed (not a limit): the account's count of failures in a row moves, and at the policy's
 * threshold the account is limited (state 'limited', every kind paused 12–24 h). `repeated` as for
 * markLimited: limited often enough to count as limited for good (members move).
 */
export async function recordSendFailure(
  db: Db,
  accountId: number,
  error: string,
  at: Date,
  random: number,
): Promise<{ limited: false } | { limited: true; until: Date; repeated: boolean; failures: number }> {
  return db.transaction(async (tx) => {
    const [account] = await tx.select().from(botAccounts).where(eq(botAccounts.id, accountId)).for('update')
    if (!account) throw notFound('顾问账号', 'account_not_found')
    const policy = accountPolicy(account)
    const reason = `连续 ${policy.failuresBeforeLimited} 次发送失败：${error}`.slice(0, 500)
    const { state: next, limited } = recordFailedSend(accountPacingState(account), policy, at, random, reason)
    if (!limited) {
      await tx.update(botAccounts).set({ pacingState: next }).where(eq(botAccounts.id, accountId))
      return { limited: false as const }
    }
    const until = latestPause(next, at)?.until ?? at
    await tx
      .update(botAccounts)
      .set({
        state: sql`case when ${botAccounts.state} in ('banned', 'disabled', 'error') then ${botAccounts.state} else 'limited' end`,
        pacingState: next,
        pausedUntil: until,
        pauseReason: reason,
      })
      .where(eq(botAccounts.id, accountId))
    return {
      limited: true as const,
      until,
      repeated: repeatedlyLimited(next, policy, at),
      failures: policy.failuresBeforeLimited,
    }
  })
}

/** A send went out: the count of failed sends in a row starts again. */
export async function clearSendFailures(db: Db, accountId: number): Promise<void> {
  await db
    .update(botAccounts)
    .set({ pacingState: sql`${botAccounts.pacingState} || '{"failedInRow":0}'::jsonb` })
    .where(eq(botAccounts.id, accountId))
}

/**
 * WeChat refused as too frequent / over a limit: this account stops that kind of action for 12–24 h
 * (state 'limited'; other kinds go on); the message goes back to the queue without using up an attempt.
 * `repeated` says the account was refused often enough to count as limited for good (members move).
 */
export async function markLimited(
  db: Db,
  message: OutboundMessage,
  error: string,
  at: Date,
  random: number,
): Promise<{ until: Date; repeated: boolean }> {
  return db.transaction(async (tx) => {
    const [account] = await tx
      .select()
      .from(botAccounts)
      .where(eq(botAccounts.id, message.accountId))
      .for('update')
    const policy = accountPolicy(account!)
    const next = recordLimited(accountPacingState(account!), policy, message.action, at, random, error)
    const until = new Date(next.kinds[message.action]!.pausedUntil!)
    const shown = latestPause(next, at)
    await tx
      .update(botAccounts)
      .set({
        state: sql`case when ${botAccounts.state} in ('banned', 'disabled', 'error') then ${botAccounts.state} else 'limited' end`,
        pacingState: next,
        pausedUntil: shown?.until ?? until,
        pauseReason: `${message.action}: ${error}`.slice(0, 500),
      })
      .where(eq(botAccounts.id, message.accountId))
    await tx
      .update(outboundMessages)
      .set({
        status: 'queued',
        attempts: sql`greatest(${outboundMessages.attempts} - 1, 0)`,
        lastError: error,
        claimedBy: null,
        claimedUntil: null,
        notBefore: until,
      })
      .where(
        and(eq(outboundMessages.id, message.id), inArray(outboundMessages.status, ['claimed', 'sending'])),
      )
    return { until, repeated: repeatedlyLimited(next, policy, at) }
  })
}

/**
 * After a crash: expired claims that never reached the puppet go back to the queue; those that were
 * being handed over become dead letters ('interrupted'), because sending again could send twice.
 */
export async function recoverExpiredClaims(db: Db, accountId: number, now: Date) {
  const requeued = await db
    .update(outboundMessages)
    .set({
      status: 'queued',
      claimedBy: null,
      claimedUntil: null,
      attempts: sql`greatest(${outboundMessages.attempts} - 1, 0)`,
    })
    .where(
      and(
        eq(outboundMessages.accountId, accountId),
        eq(outboundMessages.status, 'claimed'),
        lte(outboundMessages.claimedUntil, now),
      ),
    )
    .returning({ id: outboundMessages.id })
  const interrupted = await db
    .update(outboundMessages)
    .set({
      status: 'dead',
      lastError: 'interrupted: 发送过程中断，无法确认是否已送达，请人工确认',
      claimedUntil: null,
    })
    .where(
      and(
        eq(outboundMessages.accountId, accountId),
        eq(outboundMessages.status, 'sending'),
        lte(outboundMessages.claimedUntil, now),
      ),
    )
    .returning({ id: outboundMessages.id })
  return { requeued: requeued.length, interrupted: interrupted.length }
}
