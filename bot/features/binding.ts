// A one-time code sent as a message: the finder has bound the contact; this answers how it went.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { renderReply } from '../../shared/chat/reply-templates'
import { guarded, type AccountContext } from '../context'
import { findChatSender } from '../finders/chat-sender'
import { queueReply } from '../talkers/say'

export const defaultBindingTemplates = {
  bound:
    '绑定成功！您的会员号是 {{member_no}}。发送「积分」「会员卡」「订单」即可查询，发送「人工」联系顾问本人。',
  unknownCode: '这个绑定码不对哦，请在小程序「我的顾问」重新获取。',
  expiredCode: '绑定码已过期，请在小程序「我的顾问」重新获取。',
}

export interface BindingConfig {
  ctx: AccountContext
  templates?: Partial<typeof defaultBindingTemplates>
}

export function Binding(config: BindingConfig): WechatyPlugin {
  const { ctx } = config
  const templates = { ...defaultBindingTemplates, ...config.templates }
  return function BindingPlugin(bot: Wechaty) {
    const onMessage = guarded(ctx, 'binding', async (message: Message) => {
      if (message.room() || message.self()) return
      // The finder redeems a code before anyone else looks at the message (see chat-sender.ts).
      const sender = await findChatSender(ctx, message)
      const result = sender?.bound
      if (!sender || !result) return
      const text = result.ok
        ? renderReply('binding', templates.bound, { member_no: result.member.memberNo })
        : result.reason === 'expired_code'
          ? templates.expiredCode
          : templates.unknownCode
      await queueReply(ctx, text, {
        memberId: result.ok ? result.member.id : sender.chat.member.id,
        dedupeKey: `reply:${ctx.accountId}:${message.id}:binding`,
        source: 'binding',
      })
    })
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
    }
  }
}
