// Saying something in a chat and keeping it on the member's timeline as an outgoing message.
import type { Contact, Room } from 'wechaty'
import { recordChatMessage } from '../../shared/chat/interactions'
import type { AccountContext } from '../context'

export interface SayOptions {
  memberId: number | null
  /** Unique per reply, e.g. `reply:<accountId>:<messageId>:keywords`. */
  sourceKey: string
  origin: string
  chatGroupId?: number | null
}

export async function sayAndRecord(
  ctx: AccountContext,
  to: Contact | Room,
  text: string,
  options: SayOptions,
) {
  await to.say(text)
  if (options.memberId === null) return
  const isRoom = 'topic' in to
  await recordChatMessage(ctx.db, {
    memberId: options.memberId,
    accountId: ctx.accountId,
    chatGroupId: options.chatGroupId ?? null,
    roomId: isRoom ? to.id : null,
    contactId: isRoom ? null : to.id,
    direction: 'out',
    messageType: 'text',
    text,
    sourceKey: options.sourceKey,
    at: ctx.clock.now(),
    origin: options.origin,
  })
}
