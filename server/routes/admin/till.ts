// At the till: look a member up by card code or phone (store staff included).
import { lookupAtTill, tillQuerySchema, tillResultSchema } from '../../../shared/card/till'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerAdminTill(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/till/lookup',
    {
      summary: '收银台查会员（会员码或手机号）',
      description: '返回到店次数、累计消费、等级、阶段和建议话术。',
      query: tillQuerySchema,
      response: tillResultSchema,
    },
    ({ query }) => lookupAtTill(deps.db, query, deps.clock.now()),
  )
}
