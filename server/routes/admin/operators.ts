// Operators managed by the administrator: create, change role or accounts, disable, reset password,
// their sessions; the role table itself; and an advisor's own members.
import { z } from 'zod'
import {
  addOperator,
  advisorMembers,
  listOperators,
  listSessions,
  operatorCreateSchema,
  operatorPatchSchema,
  newPasswordSchema,
  resetOperatorPassword,
  revokeSession,
  updateOperator,
} from '../../../shared/auth/operators'
import { operatorRoles } from '../../../shared/db/schema/auth'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { actionsOf, roleNames } from '../../policy'
import { sessionSchema } from './session'

const operatorViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(operatorRoles),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  accountIds: z.array(z.number().int()),
  createdAt: z.string(),
})

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminOperators(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/operators',
    { summary: '运营人员列表', response: z.object({ items: z.array(operatorViewSchema) }) },
    async () => ({ items: await listOperators(deps.db) }),
  )

  api.post(
    '/operators',
    {
      summary: '新增运营人员（首次登录须修改密码；顾问可指定所服务的顾问账号）',
      body: operatorCreateSchema,
      status: 201,
      response: operatorViewSchema,
    },
    async ({ body }) => addOperator(deps.db, body),
  )

  api.patch(
    '/operators/:id',
    {
      summary: '修改运营人员：姓名、角色、顾问账号、停用（改角色或停用会结束其所有会话）',
      params: idParams,
      body: operatorPatchSchema,
      response: operatorViewSchema,
    },
    async ({ params, body }, ctx) =>
      updateOperator(deps.db, deps.clock, ctx.state.operator!.id, params.id, body),
  )

  api.post(
    '/operators/:id/password',
    {
      summary: '重置运营人员密码（结束其所有会话，下次登录须修改）',
      params: idParams,
      body: z.object({ password: newPasswordSchema }),
      response: operatorViewSchema,
    },
    async ({ params, body }) => resetOperatorPassword(deps.db, params.id, body.password),
  )

  api.get(
    '/operators/:id/sessions',
    {
      summary: '运营人员的登录会话',
      params: idParams,
      response: z.object({ items: z.array(sessionSchema) }),
    },
    async ({ params }) => ({ items: await listSessions(deps.db, deps.clock, params.id) }),
  )

  api.delete(
    '/operators/:id/sessions/:sessionId',
    {
      summary: '结束运营人员的某个登录会话',
      params: z.object({
        id: z.coerce.number().int().positive(),
        sessionId: z.coerce.number().int().positive(),
      }),
      status: 204,
    },
    async ({ params }, ctx) => {
      await revokeSession(deps.db, params.id, params.sessionId)
      ctx.status = 204
    },
  )

  api.get(
    '/roles',
    {
      summary: '角色及其可执行的操作',
      response: z.object({
        items: z.array(
          z.object({ role: z.enum(operatorRoles), name: z.string(), actions: z.array(z.string()) }),
        ),
      }),
    },
    () => ({
      items: operatorRoles.map((role) => ({ role, name: roleNames[role], actions: actionsOf(role) })),
    }),
  )

  api.get(
    '/advisor/members',
    {
      summary: '我服务的会员（分配给我的顾问账号的会员）',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }),
      response: z.object({
        items: z.array(
          z.object({
            id: z.number().int(),
            name: z.string().nullable(),
            nickname: z.string().nullable(),
            accountId: z.number().int().nullable(),
          }),
        ),
        total: z.number().int(),
      }),
    },
    async ({ query }, ctx) => advisorMembers(deps.db, ctx.state.operator!.id, query),
  )
}
