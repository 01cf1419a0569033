// How the sender reaches WeChat: through the account's Wechaty instance.
import type { Wechaty } from 'wechaty'
import type { OutboundPayload } from '../../shared/db/schema/chat'

export interface SendTransport {
  sayToContact(contactId: string, text: string): Promise<void>
  sayInRoom(roomId: string, text: string): Promise<void>
  /** A link or a mini-program card, to a contact or into a room. */
  sendCard?(target: { contactId?: string; roomId?: string }, payload: OutboundPayload): Promise<void>
  announce(roomId: string, text: string): Promise<void>
  addToRoom(roomId: string, contactId: string): Promise<void>
  /** Opens a group with these contacts; returns its room id. */
  createRoom(contactIds: string[], topic: string): Promise<string>
  /** Accepts a friend request by the puppet's friendship id. */
  acceptFriendship?(friendshipId: string): Promise<void>
}

export function wechatyTransport(bot: Wechaty): SendTransport {
  const contact = async (id: string) => {
    const c = await bot.Contact.find({ id })
    if (!c) throw new Error(`contact ${id} not found`)
    return c
  }
  const room = async (id: string) => {
    const r = await bot.Room.find({ id })
    if (!r) throw new Error(`room ${id} not found`)
    return r
  }
  return {
    async sayToContact(contactId, text) {
      await (await contact(contactId)).say(text)
    },
    async sayInRoom(roomId, text) {
      await (await room(roomId)).say(text)
    },
    async sendCard(target, payload) {
      const to = target.roomId ? await room(target.roomId) : await contact(target.contactId!)
      if (payload.link) await to.say(new bot.UrlLink(payload.link))
      else if (payload.miniProgram) await to.say(new bot.MiniProgram(payload.miniProgram))
    },
    async announce(roomId, text) {
      await (await room(roomId)).announce(text)
    },
    async addToRoom(roomId, contactId) {
      await (await room(roomId)).add(await contact(contactId))
    },
    async createRoom(contactIds, topic) {
      const contacts = await Promise.all(contactIds.map(contact))
      const r = await bot.Room.create(contacts, topic)
      return r.id
    },
    async acceptFriendship(friendshipId) {
      const f = bot.Friendship.load(friendshipId)
      await f.ready()
      await f.accept()
    },
  }
}
