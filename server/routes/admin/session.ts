// Operator login (throttled per user name and IP), logout, "who am I" with the actions the console may
// offer, one's own password and sessions.
import { z } from 'zod'
import { loginOperator } from '../../../shared/auth/service'
import {
  changeOwnPassword,
  listSessions,
  newPasswordSchema,
  revokeSession,
} from '../../../shared/auth/operators'
import { operatorRoles } from '../../../shared/db/schema/auth'
import { LoginThrottle } from '../../../shared/auth/throttle'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { actionsOf, policy } from '../../policy'

export const operatorLoginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
})

const operatorSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(operatorRoles),
  /** True until the initial (or reset) password is changed: every other operation answers 403 password_change_required. */
  mustChangePassword: z.boolean(),
})

export const sessionSchema = z.object({
  id: z.number().int(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
})

const idParams = z.object({ id: z.coerce.number().int().positive() })

/** The actions the signed-in role may perform: the console builds its menu from them. */
const actionsSchema = z.array(z.enum(Object.keys(policy) as [string, ...string[]]))

export function registerAdminSession(publicApi: ApiRouter, api: ApiRouter, deps: AppDeps): void {
  const throttle = new LoginThrottle(deps.db)

  publicApi.post(
    '/login',
    {
      summary: '运营人员登录（同一用户名或 IP 连续输错密码会被暂时锁定）',
      body: operatorLoginSchema,
      response: z.object({
        token: z.string(),
        expiresAt: z.string(),
        operator: operatorSchema.extend({ actions: actionsSchema }),
      }),
    },
    async ({ body }, ctx) => {
      await throttle.check(body.username, ctx.ip)
      try {
        const session = await loginOperator(deps.db, deps.clock, body, deps.config.SESSION_TTL_HOURS, {
          ip: ctx.ip,
          userAgent: ctx.get('user-agent'),
        })
        await throttle.succeeded(body.username)
        return {
          ...session,
          operator: { ...session.operator, actions: actionsOf(session.operator.role) },
          expiresAt: session.expiresAt.toISOString(),
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'invalid_credentials')
          await throttle.failed(body.username, ctx.ip)
        throw err
      }
    },
  )

  api.post('/logout', { summary: '退出登录（令牌立即失效）', status: 204 }, async (_input, ctx) => {
    const me = ctx.state.operator!
    await revokeSession(deps.db, me.id, me.sessionId)
    ctx.status = 204
  })

  api.get(
    '/me',
    {
      summary: '当前登录的运营人员，及其角色可执行的操作（控制台据此显示菜单）',
      response: operatorSchema.extend({
        actions: actionsSchema,
      }),
    },
    (_input, ctx) => {
      const { sessionId: _session, ...me } = ctx.state.operator!
      return { ...me, actions: actionsOf(me.role) }
    },
  )

  api.post(
    '/me/password',
    {
      summary: '修改自己的密码（首次登录必须修改初始密码）；其他会话随之失效',
      body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: newPasswordSchema }),
      status: 204,
    },
    async ({ body }, ctx) => {
      const me = ctx.state.operator!
      await changeOwnPassword(deps.db, me.id, me.sessionId, body)
      ctx.status = 204
    },
  )

  api.get(
    '/me/sessions',
    {
      summary: '我的登录会话',
      response: z.object({ items: z.array(sessionSchema.extend({ current: z.boolean() })) }),
    },
    async (_input, ctx) => {
      const me = ctx.state.operator!
      const items = await listSessions(deps.db, deps.clock, me.id)
      return { items: items.map((s) => ({ ...s, current: s.id === me.sessionId })) }
    },
  )

  api.delete(
    '/me/sessions/:id',
    { summary: '结束我的某个登录会话', params: idParams, status: 204 },
    async ({ params }, ctx) => {
      await revokeSession(deps.db, ctx.state.operator!.id, params.id)
      ctx.status = 204
    },
  )
}
