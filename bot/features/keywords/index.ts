// Keyword answers in 1:1 chats (never in groups: they are private): points, member card, orders from
// the database; 人工 hands the chat to the advisor as a ticket. Only a contact bound by a one-time code
// hears private facts.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { cardFacts, pointsFacts, recentOrders, renderTemplate } from '../../../shared/chat/answers'
import { recordFeedbackTicket } from '../../../shared/chat/tickets'
import { guarded, type AccountContext } from '../../context'
import { findChatSender } from '../../finders/chat-sender'
import { queueReply } from '../../talkers/say'
import { defaultKeywordReplies, matchKeyword, privacyReply, type KeywordReply } from './rules'

export interface KeywordsConfig {
  ctx: AccountContext
  advisorName: string
  replies?: KeywordReply[]
  privacyReply?: string
}

export function Keywords(config: KeywordsConfig): WechatyPlugin {
  const { ctx } = config
  const rules = config.replies ?? defaultKeywordReplies
  const privacy = config.privacyReply ?? privacyReply
  return function KeywordsPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'keywords', async (message: Message) => {
      if (message.room() || message.self()) return
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
        text = renderTemplate(rule.template, { advisor: config.advisorName })
      } else if (!sender.chat.verified) {
        text = privacy
      } else {
        text = renderTemplate(rule.template, await factsFor(ctx, rule, member.id, at, config.advisorName))
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

async function factsFor(
  ctx: AccountContext,
  rule: KeywordReply,
  memberId: number,
  at: Date,
  advisor: string,
) {
  const card = await cardFacts(ctx.db, memberId, at)
  const vars: Record<string, string | number> = {
    name: card.name,
    memberNo: card.memberNo,
    points: card.points,
    tiers: card.tiers.length ? card.tiers.join('、') : '普通会员',
    advisor,
    expiring: '',
  }
  if (rule.code === 'points') {
    const p = await pointsFacts(ctx.db, memberId, at)
    vars.points = p.balance
    vars.expiring =
      p.expiringSoon > 0 ? `其中 ${p.expiringSoon} 分将于 ${p.expiringOn} 起陆续到期，记得使用哦。` : ''
  }
  if (rule.code === 'orders') {
    const orders = await recentOrders(ctx.db, memberId)
    vars.orders = orders.length ? orders.map((o) => o.line).join('\n') : '暂时还没有订单'
  }
  return vars
}
