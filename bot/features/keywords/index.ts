// Keyword answers in 1:1 chats (never in groups: they are private): points, member card, orders from
// the database; 人工 hands the chat to the advisor as a ticket. Only a contact bound by a one-time code
// hears private facts. The rules are read when a message arrives (stored by operators, or the defaults),
// so a saved change applies to the next message without a restart.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { renderReply } from '../../../shared/chat/reply-templates'
import { recordFeedbackTicket } from '../../../shared/chat/tickets'
import { guarded, type AccountContext } from '../../context'
import { findChatSender } from '../../finders/chat-sender'
import { queueReply } from '../../talkers/say'
import {
  keywordFacts,
  loadKeywordReplies,
  matchKeyword,
  privacyReply,
  type KeywordReply,
} from '../../../shared/chat/keyword-replies'

export interface KeywordsConfig {
  ctx: AccountContext
  advisorName: string
  /** Fixed rules (tests); by default the stored rules are read for every message. */
  replies?: KeywordReply[]
  privacyReply?: string
}

export function Keywords(config: KeywordsConfig): WechatyPlugin {
  const { ctx } = config
  const fixed = config.replies
  const privacy = config.privacyReply ?? privacyReply
  return function KeywordsPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'keywords', async (message: Message) => {
      if (message.room() || message.self()) return
      const rules = fixed ?? (await loadKeywordReplies(ctx.db))
      const rule = matchKeyword(rules, message.text())
      if (!rule) return
      const sender = await findChatSender(ctx, message)
      if (!sender) return
      const member = sender.chat.member
      const at = ctx.clock.now()
      let text: string
      if (rule.code === 'human') {
        await recordFeedbackTicket(ctx.db, {
          memberId: member.id,
          accountId: ctx.accountId,
          category: 'handoff',
          text: message.text(),
          matched: message.text().trim(),
          at,
        })
        text = renderReply('keyword', rule.template, { advisor: config.advisorName })
      } else if (!sender.chat.verified) {
        text = privacy
      } else {
        text = renderReply(
          'keyword',
          rule.template,
          await keywordFacts(ctx.db, rule, member.id, at, config.advisorName),
        )
      }
      await queueReply(ctx, text, {
        memberId: member.id,
        dedupeKey: `reply:${ctx.accountId}:${message.id}:keywords`,
        source: `keyword:${rule.code}`,
      })
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}
