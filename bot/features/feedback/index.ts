// Feedback and complaints, in 1:1 chats and groups: a ticket for the operators, a tag on the member,
// and a `feedback` member event (giving feedback is one of the signs of a potential super user). The
// lexicon is the stored one, read when a message arrives (compiled once per saved version).
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { tagMember } from '../../../shared/chat/tagging'
import { recordFeedbackTicket } from '../../../shared/chat/tickets'
import { recordMemberEvent } from '../../../shared/members/events'
import { guarded, type AccountContext } from '../../context'
import { findChatSender } from '../../finders/chat-sender'
import { queueReply } from '../../talkers/say'
import {
  compileLexicon,
  loadFeedbackLexicon,
  type FeedbackCategory,
} from '../../../shared/chat/feedback-lexicon'

export interface FeedbackConfig {
  ctx: AccountContext
  /** A fixed lexicon (tests); by default the stored one is read for every message. */
  lexicon?: FeedbackCategory[]
  /** Said in a 1:1 chat when a ticket is opened. */
  acknowledgement?: string
}

export function Feedback(config: FeedbackConfig): WechatyPlugin {
  const { ctx } = config
  const fixed = config.lexicon ? compileLexicon(config.lexicon) : null
  const acknowledgement =
    config.acknowledgement ?? '收到您的反馈，非常感谢！顾问会尽快跟进处理，有结果第一时间告诉您。'
  return function FeedbackPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'feedback', async (message: Message) => {
      if (message.self()) return
      const lexicon = fixed ?? (await loadFeedbackLexicon(ctx.db))
      const hit = lexicon.match(message.text())
      if (!hit) return
      const sender = await findChatSender(ctx, message)
      if (!sender) return
      const memberId = sender.chat.member.id
      const at = ctx.clock.now()
      const { opened } = await recordFeedbackTicket(ctx.db, {
        memberId,
        accountId: ctx.accountId,
        chatGroupId: sender.group?.id ?? null,
        category: hit.category,
        text: message.text(),
        matched: hit.matched,
        at,
      })
      await tagMember(ctx.db, memberId, { dimension: 'feedback', dimensionName: '反馈', name: hit.label }, at)
      await recordMemberEvent(ctx.db, {
        memberId,
        type: 'feedback',
        occurredAt: at,
        sourceKey: `feedback:${ctx.accountId}:${message.id}`,
        payload: {
          accountId: ctx.accountId,
          chatGroupId: sender.group?.id ?? null,
          category: hit.category,
          ...(['complaint', 'suggestion', 'praise'].includes(hit.category)
            ? { sentiment: hit.category }
            : {}),
          matched: hit.matched,
          text: message.text().slice(0, 500),
        },
      })
      if (opened && !sender.room) {
        await queueReply(ctx, acknowledgement, {
          memberId,
          dedupeKey: `reply:${ctx.accountId}:${message.id}:feedback`,
          source: 'feedback',
        })
      }
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}
