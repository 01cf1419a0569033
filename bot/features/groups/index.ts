// Groups: joins and leaves recorded (present members, counts, member events) and newcomers welcomed
// with the group's announcement (queued as a paced group post); the welcome is the stored one, read
// when members join. Invitations and new sibling groups are
// sent by the paced sender.
import type { Contact, Room, Wechaty, WechatyPlugin } from 'wechaty'
import { resolveChatMember } from '../../../shared/chat/contacts'
import { ensureGroup, recordGroupJoin, recordGroupLeave } from '../../../shared/chat/groups'
import { renderReply } from '../../../shared/chat/reply-templates'
import { loadWelcomeTexts } from '../../../shared/chat/welcome-texts'
import { guarded, type AccountContext } from '../../context'
import { aliasOf } from '../../finders/chat-sender'
import { recordChatMessage } from '../../../shared/chat/interactions'
import { queueReply } from '../../talkers/say'

export interface GroupsConfig {
  ctx: AccountContext
  /** A fixed template over replyVariables.groupWelcome (tests); by default the stored one. */
  welcome?: string
}

export function Groups(config: GroupsConfig): WechatyPlugin {
  const { ctx } = config
  const fixed = config.welcome
  return function GroupsPlugin(bot: Wechaty) {
    const onJoin = guarded(ctx, 'groups', async (room: Room, invitees: Contact[], inviter: Contact) => {
      const at = ctx.clock.now()
      const group = await ensureGroup(ctx.db, {
        accountId: ctx.accountId,
        roomId: room.id,
        topic: await room.topic(),
        at,
      })
      const joined: { contact: Contact; memberId: number }[] = []
      for (const contact of invitees) {
        if (contact.self()) continue
        const { member } = await resolveChatMember(
          ctx.db,
          {
            accountId: ctx.accountId,
            contactId: contact.id,
            alias: await aliasOf(contact),
            name: contact.name(),
          },
          at,
        )
        if (
          await recordGroupJoin(ctx.db, {
            group,
            memberId: member.id,
            contactId: contact.id,
            at,
            inviterContactId: inviter?.id,
          })
        ) {
          joined.push({ contact, memberId: member.id })
        }
      }
      if (joined.length === 0) return
      const welcome = fixed ?? (await loadWelcomeTexts(ctx.db)).groupWelcome
      const text = renderReply('groupWelcome', welcome, {
        names: joined.map((j) => j.contact.name()).join('、'),
        topic: group.topic,
        announcement: group.announcement ? `${group.announcement} ` : '',
      })
      // A group welcome is a group post: paced with the account's other posts, after a human delay.
      await queueReply(ctx, text, {
        memberId: joined[0]!.memberId,
        chatGroupId: group.id,
        dedupeKey: `group-welcome:${group.id}:${joined.map((j) => j.memberId).join(',')}:${at.getTime()}`,
        source: 'group_welcome',
      })
      for (const j of joined) {
        await recordWelcome(ctx, j.memberId, group.id, room.id, text, at)
      }
    })
    const onLeave = guarded(ctx, 'groups', async (room: Room, leavers: Contact[], remover?: Contact) => {
      const at = ctx.clock.now()
      const group = await ensureGroup(ctx.db, {
        accountId: ctx.accountId,
        roomId: room.id,
        topic: await room.topic(),
        at,
      })
      for (const contact of leavers) {
        await recordGroupLeave(ctx.db, {
          group,
          contactId: contact.id,
          at,
          removed: Boolean(remover && remover.id !== contact.id),
        })
      }
    })
    bot.on('room-join', onJoin)
    bot.on('room-leave', onLeave)
    return () => {
      bot.off('room-join', onJoin)
      bot.off('room-leave', onLeave)
    }
  }
}

/** The group welcome is one message to the room; each newcomer's timeline shows it. */
async function recordWelcome(
  ctx: AccountContext,
  memberId: number,
  chatGroupId: number,
  roomId: string,
  text: string,
  at: Date,
) {
  await recordChatMessage(ctx.db, {
    memberId,
    accountId: ctx.accountId,
    chatGroupId,
    roomId,
    direction: 'out',
    messageType: 'text',
    text,
    sourceKey: `group-welcome:${chatGroupId}:${memberId}:${at.getTime()}`,
    at,
    origin: 'group_welcome',
  })
}
