// Operator login and "who am I".
import { z } from 'zod'
import { loginOperator } from '../../../shared/auth/service'
import { operatorRoles } from '../../../shared/db/schema/auth'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export const operatorLoginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
})

const operatorSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(operatorRoles),
})

export function registerAdminSession(publicApi: ApiRouter, api: ApiRouter, deps: AppDeps): void {
  publicApi.post(
    '/login',
    {
      summary: '运营人员登录',
      body: operatorLoginSchema,
      response: z.object({ token: z.string(), expiresAt: z.string(), operator: operatorSchema }),
    },
    async ({ body }) => {
      const session = await loginOperator(deps.db, deps.clock, body, deps.config.SESSION_TTL_HOURS)
      return { ...session, expiresAt: session.expiresAt.toISOString() }
    },
  )

  api.get(
    '/me',
    { summary: '当前登录的运营人员', response: operatorSchema },
    (_input, ctx) => ctx.state.operator,
  )
}
