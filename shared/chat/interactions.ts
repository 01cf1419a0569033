// Every chat message, in or out, is a `chat_message` event on the member's timeline, with the account,
// the group (if any), the direction and the message type. Retried deliveries are stored once.
import type { Db } from '../db/client'
import { recordMemberEvent } from '../members/events'
import { memberEvents } from '../db/schema/members'

export type ChatDirection = 'in' | 'out'

export interface ChatMessageRecord {
  memberId: number
  accountId: number
  /** Our chat_groups row when the message was in a group. */
  chatGroupId?: number | null
  roomId?: string | null
  contactId?: string | null
  direction: ChatDirection
  /** text, url, mini_program, image, voice, video, file, emoticon, contact, other */
  messageType: string
  text: string | null
  /** Unique per message: `chat:<accountId>:<messageId>`, `outbox:<id>`, `reply:<accountId>:<messageId>:<feature>`. */
  sourceKey: string
  at: Date
  /** Who or what produced an outgoing message: keyword, welcome, campaign, operator … */
  origin?: string
}

const MAX_TEXT = 2000

/** Stores the message once; an incoming one also moves the member's last-seen time (ours do not). */
export async function recordChatMessage(db: Db, m: ChatMessageRecord) {
  const event = {
    memberId: m.memberId,
    type: 'chat_message' as const,
    occurredAt: m.at,
    sourceKey: m.sourceKey,
    // Only the fields that are known: the event's schema takes a missing field, not a null.
    payload: {
      accountId: m.accountId,
      direction: m.direction,
      messageType: m.messageType,
      ...(m.chatGroupId ? { chatGroupId: m.chatGroupId, groupId: m.chatGroupId } : {}),
      ...(m.roomId ? { roomId: m.roomId } : {}),
      ...(m.contactId ? { contactId: m.contactId } : {}),
      ...(m.text !== null ? { text: m.text.slice(0, MAX_TEXT) } : {}),
      ...(m.origin ? { origin: m.origin } : {}),
    },
  }
  if (m.direction === 'in') return recordMemberEvent(db, event)
  const [row] = await db.insert(memberEvents).values(event).onConflictDoNothing().returning()
  return row ?? null
}
