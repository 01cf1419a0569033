// How the sender reaches WeChat: through the account's Wechaty instance.
import type { Wechaty } from 'wechaty'

export interface SendTransport {
  sayToContact(contactId: string, text: string): Promise<void>
  sayInRoom(roomId: string, text: string): Promise<void>
  announce(roomId: string, text: string): Promise<void>
  addToRoom(roomId: string, contactId: string): Promise<void>
  /** Opens a group with these contacts; returns its room id. */
  createRoom(contactIds: string[], topic: string): Promise<string>
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
  }
}
