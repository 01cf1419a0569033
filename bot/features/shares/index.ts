// Shares in groups: a member posting our store link or mini-program card is a `share` event, which the
// super-user criteria and the referral attribution read.
import { types, type Message, type Wechaty, type WechatyPlugin } from 'wechaty'
import { recordMemberEvent } from '../../../shared/members/events'
import { guarded, type AccountContext } from '../../context'
import { findChatSender } from '../../finders/chat-sender'
import { matchLink, matchMiniProgram, matchTextLinks, type ShareHit, type ShareRules } from './matchers'

export interface SharesConfig extends ShareRules {
  ctx: AccountContext
  /** Also count shares sent to the account 1:1 (default: groups only). */
  inDirectChats?: boolean
}

export function Shares(config: SharesConfig): WechatyPlugin {
  const { ctx } = config
  const rules: ShareRules = {
    storeHosts: [...config.storeHosts],
    miniProgramAppIds: [...config.miniProgramAppIds],
  }
  return function SharesPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'shares', async (message: Message) => {
      if (message.self() || (!message.room() && !config.inDirectChats)) return
      const hit = await shareIn(rules, message)
      if (!hit) return
      const sender = await findChatSender(ctx, message)
      if (!sender) return
      await recordMemberEvent(ctx.db, {
        memberId: sender.chat.member.id,
        type: 'share',
        occurredAt: ctx.clock.now(),
        sourceKey: `share:${ctx.accountId}:${message.id}`,
        payload: {
          accountId: ctx.accountId,
          chatGroupId: sender.group?.id ?? null,
          channel: sender.room ? 'group' : 'direct',
          via: hit.via,
          url: hit.url,
          title: hit.title,
          shareCode: hit.shareCode,
          // The fields the members domain reads: what was shared and the sharer's code.
          ...((hit.url ?? hit.title) ? { target: (hit.url ?? hit.title)! } : {}),
          ...(hit.shareCode ? { code: hit.shareCode } : {}),
        },
      })
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}

async function shareIn(rules: ShareRules, message: Message): Promise<ShareHit | null> {
  switch (message.type()) {
    case types.Message.Url: {
      const link = await message.toUrlLink()
      return matchLink(rules, link.url(), link.title())
    }
    case types.Message.MiniProgram: {
      const card = await message.toMiniProgram()
      return matchMiniProgram(rules, { appid: card.appid(), title: card.title(), pagePath: card.pagePath() })
    }
    case types.Message.Text:
      return matchTextLinks(rules, message.text())
    default:
      return null
  }
}
