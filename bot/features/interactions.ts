// Every message someone sends to the account, 1:1 or in a group, stored on their member timeline.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { recordChatMessage } from '../../shared/chat/interactions'
import { guarded, type AccountContext } from '../context'
import { findChatSender } from '../finders/chat-sender'

export interface InteractionsConfig {
  ctx: AccountContext
}

export function Interactions(config: InteractionsConfig): WechatyPlugin {
  const { ctx } = config
  return function InteractionsPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'interactions', async (message: Message) => {
      const sender = await findChatSender(ctx, message)
      if (!sender) return
      await recordChatMessage(ctx.db, {
        memberId: sender.chat.member.id,
        accountId: ctx.accountId,
        chatGroupId: sender.group?.id ?? null,
        roomId: sender.room?.id ?? null,
        contactId: sender.contact.id,
        direction: 'in',
        messageType: sender.messageType,
        text: sender.text,
        sourceKey: `chat:${ctx.accountId}:${message.id}`,
        at: sender.at,
      })
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}
