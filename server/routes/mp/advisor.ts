// "Talk to my advisor" in the mini-program: the member's advisor account and a one-time code to send
// it in WeChat, which binds the chat to the member.
import { z } from 'zod'
import { issueBindCode } from '../../../shared/chat/binding'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpAdvisor(api: ApiRouter, deps: AppDeps): void {
  api.post(
    '/advisor/bind-code',
    {
      summary: '联系我的专属顾问：获取绑定码',
      response: z.object({
        code: z.string(),
        advisorName: z.string(),
        expiresAt: z.string(),
        instruction: z.string(),
      }),
    },
    async (_input, ctx) => {
      const issued = await issueBindCode(deps.db, ctx.state.memberId!, deps.clock.now())
      return {
        code: issued.code,
        advisorName: issued.advisorName,
        expiresAt: issued.expiresAt.toISOString(),
        instruction: `添加「${issued.advisorName}」为微信好友，在验证消息或聊天中发送：绑定码 ${issued.code}（30 分钟内有效）`,
      }
    },
  )
}
