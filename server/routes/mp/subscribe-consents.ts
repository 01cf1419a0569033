// The mini-program reports the subscribe-message templates a member accepted (wx.requestSubscribeMessage):
// each acceptance allows the brand one message with that template.
import { z } from 'zod'
import { consentInputSchema, recordSubscribeConsents } from '../../../shared/campaigns/subscribe-delivery'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpSubscribeConsents(api: ApiRouter, deps: AppDeps): void {
  api.post(
    '/subscribe-consents',
    {
      summary: '记录订阅消息授权',
      description: '会员在 wx.requestSubscribeMessage 中接受的模板 id；每接受一次可发送一条。',
      body: consentInputSchema,
      response: z.array(z.object({ templateId: z.string(), remaining: z.number().int() })),
    },
    async ({ body }, ctx) =>
      recordSubscribeConsents(deps.db, ctx.state.memberId!, body.accepted, deps.clock.now()),
  )
}
