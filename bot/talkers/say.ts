// Saying something in a chat: replies go through the paced outbox (the sender records them on the
// member's timeline when they leave); sayAndRecord says it at once, for the few answers that must not
// wait (the opt-out confirmation, after which the sender skips the member).
import type { Contact, Room } from 'wechaty'
import { getAccount } from '../../shared/chat/accounts'
import { recordChatMessage } from '../../shared/chat/interactions'
import { enqueueOutbound } from '../../shared/chat/outbox'
import { accountPolicy, replyDelayMs } from '../../shared/chat/pacing'
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

export interface ReplyOptions {
  memberId: number
  /** Unique per reply, e.g. `reply:<accountId>:<messageId>:keywords`: a redelivered event replies once. */
  dedupeKey: string
  /** keyword:<code>, welcome, binding, feedback … (replies are paced as the `reply` kind). */
  source: string
  /** A post in a group (a group welcome) instead of a 1:1 reply. */
  chatGroupId?: number
}

/**
 * Answer through the paced outbox, not straight out: the reply waits as long as a person would take to
 * read and type it (proportional to its length, jittered, bounded) and then takes its turn under the
 * account's pacing rules; "too frequent" pauses it like any other send.
 */
export async function queueReply(ctx: AccountContext, text: string, options: ReplyOptions): Promise<void> {
  const account = await getAccount(ctx.db, ctx.accountId)
  const at = new Date(ctx.clock.now().getTime() + replyDelayMs(text, accountPolicy(account), Math.random()))
  const { created } = await enqueueOutbound(ctx.db, {
    dedupeKey: options.dedupeKey,
    accountId: ctx.accountId,
    kind: options.chatGroupId ? 'group' : 'direct',
    memberId: options.chatGroupId ? null : options.memberId,
    chatGroupId: options.chatGroupId ?? null,
    text,
    source: options.source,
    notBefore: at,
    priority: 10,
  })
  if (created) ctx.onQueued?.(at)
}
