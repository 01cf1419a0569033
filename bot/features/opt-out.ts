// 退订: the member asks for no more proactive messages (campaigns, greetings); 订阅 undoes it. The
// sender checks members.opted_out_at before every send.
import { and, eq, isNotNull } from 'drizzle-orm'
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { optOut } from '../../shared/chat/answers'
import { members } from '../../shared/db/schema/members'
import { guarded, type AccountContext } from '../context'
import { findChatSender } from '../finders/chat-sender'
import { sayAndRecord } from '../talkers/say'

export interface OptOutConfig {
  ctx: AccountContext
  optOutWords?: string[]
  optInWords?: string[]
}

export function OptOut(config: OptOutConfig): WechatyPlugin {
  const { ctx } = config
  const outWords = new Set(config.optOutWords ?? ['退订', 'TD', 'td', '取消订阅'])
  const inWords = new Set(config.optInWords ?? ['订阅', '恢复订阅'])
  return function OptOutPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'opt-out', async (message: Message) => {
      if (message.room() || message.self()) return
      const t = message.text().trim()
      const out = outWords.has(t)
      if (!out && !inWords.has(t)) return
      const sender = await findChatSender(ctx, message)
      if (!sender) return
      const memberId = sender.chat.member.id
      const at = ctx.clock.now()
      if (out) await optOut(ctx.db, memberId, at)
      else
        await ctx.db
          .update(members)
          .set({ optedOutAt: null, updatedAt: at })
          .where(and(eq(members.id, memberId), isNotNull(members.optedOutAt)))
      await sayAndRecord(
        ctx,
        sender.contact,
        out
          ? '已为您退订，之后不再主动给您发送活动消息。回复「订阅」可随时恢复。'
          : '已为您恢复订阅，有好消息第一时间告诉您～',
        {
          memberId,
          sourceKey: `reply:${ctx.accountId}:${message.id}:opt-out`,
          origin: out ? 'opt_out' : 'opt_in',
        },
      )
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}
