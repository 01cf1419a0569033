// Recording what members do: one stream that the timeline, the lifecycle and the segments read.
import type { Db } from '../db/client'
import { memberEvents, members, type MemberEvent, type MemberEventType } from './schema'
import { eq, sql } from 'drizzle-orm'

export interface EventInput {
  memberId: number
  type: MemberEventType
  occurredAt: Date
  payload?: Record<string, unknown>
  /** Idempotency key of the source (message id, order number): a retried event is stored once. */
  sourceKey?: string
}

/** Store an event once per source key and move the member's last-seen time. Returns null for a repeat. */
export async function recordMemberEvent(db: Db, input: EventInput): Promise<MemberEvent | null> {
  const [event] = await db
    .insert(memberEvents)
    .values({
      memberId: input.memberId,
      type: input.type,
      occurredAt: input.occurredAt,
      payload: input.payload ?? {},
      sourceKey: input.sourceKey,
    })
    .onConflictDoNothing()
    .returning()
  if (!event) return null
  await db
    .update(members)
    .set({ lastSeenAt: sql`greatest(${members.lastSeenAt}, ${input.occurredAt.toISOString()}::timestamptz)` })
    .where(eq(members.id, input.memberId))
  return event
}
