// Who sent a message and where: the member behind the contact (bound, found again by remark, or a new
// lead), the group if it came from one, and the message's type and text. Found once per message and
// shared by every feature that asks.
import { types, type Contact, type Message, type Room } from 'wechaty'
import { bindCodeIn, type BindResult } from '../../shared/chat/binding'
import { resolveChatMember, type ChatMember } from '../../shared/chat/contacts'
import { ensureGroup, type ChatGroup } from '../../shared/chat/groups'
import type { AccountContext } from '../context'
import { bindContact } from './bind-contact'

export interface ChatSender {
  contact: Contact
  room: Room | undefined
  group: ChatGroup | null
  chat: ChatMember
  messageType: string
  text: string
  at: Date
  /** A one-time code in the message was redeemed (or refused) before the member was resolved. */
  bound?: BindResult
}

const typeNames: Partial<Record<number, string>> = {
  [types.Message.Text]: 'text',
  [types.Message.Url]: 'url',
  [types.Message.MiniProgram]: 'mini_program',
  [types.Message.Image]: 'image',
  [types.Message.Audio]: 'voice',
  [types.Message.Video]: 'video',
  [types.Message.Attachment]: 'file',
  [types.Message.Emoticon]: 'emoticon',
  [types.Message.Contact]: 'contact',
  [types.Message.Location]: 'location',
}

export const messageTypeName = (t: number) => typeNames[t] ?? 'other'

const found = new WeakMap<Message, Promise<ChatSender | null>>()

/** The sender of a message from someone else (null for our own messages and system notices). */
export function findChatSender(ctx: AccountContext, message: Message): Promise<ChatSender | null> {
  let pending = found.get(message)
  if (!pending) {
    pending = resolve(ctx, message)
    found.set(message, pending)
  }
  return pending
}

async function resolve(ctx: AccountContext, message: Message): Promise<ChatSender | null> {
  if (message.self()) return null
  const contact = message.talker()
  if (!contact || contact.type() !== types.Contact.Individual) return null
  const at = ctx.clock.now()
  const room = message.room()
  const group = room
    ? await ensureGroup(ctx.db, {
        accountId: ctx.accountId,
        roomId: room.id,
        topic: await room.topic().catch(() => ''),
        at,
      })
    : null
  // A bind code says who the sender is: redeem it first, so nothing lands on a lead that is about to
  // be joined into the member.
  const code = room || message.type() !== types.Message.Text ? null : bindCodeIn(message.text())
  const bound = code ? ((await bindContact(ctx, contact, { kind: 'code', code })) ?? undefined) : undefined
  const chat = await resolveChatMember(
    ctx.db,
    { accountId: ctx.accountId, contactId: contact.id, alias: await aliasOf(contact), name: contact.name() },
    at,
  )
  return {
    contact,
    room,
    group,
    chat,
    messageType: messageTypeName(message.type()),
    text: message.text(),
    at,
    bound,
  }
}

export async function aliasOf(contact: Contact): Promise<string | null> {
  try {
    return (await contact.alias()) ?? null
  } catch {
    return null
  }
}
