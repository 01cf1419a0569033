// Bearer-token auth: operators (console, store staff) and members (mini-program) are separate realms.
import type { Middleware } from 'koa'
import { resolveMemberSession, resolveOperatorSession } from '../../shared/auth/service'
import type { OperatorRole } from '../../shared/auth/schema'
import { DomainError } from '../../shared/errors'
import type { AppDeps, AppState } from '../deps'

function bearer(header: string): string | null {
  const m = /^Bearer\s+([\w\-.~+/=]{16,200})$/.exec(header)
  return m ? m[1]! : null
}

export function operatorAuth(
  deps: AppDeps,
  roles: readonly OperatorRole[] = ['admin', 'operator', 'staff'],
): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearer(ctx.get('authorization'))
    const operator = token ? await resolveOperatorSession(deps.db, deps.clock, token) : null
    if (!operator) throw new DomainError('unauthorized', '请先登录', 401)
    if (!roles.includes(operator.role)) throw new DomainError('forbidden', '没有权限执行此操作', 403)
    ctx.state.operator = operator
    ctx.state.log = ctx.state.log.child({ operatorId: operator.id })
    await next()
  }
}

export function memberAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearer(ctx.get('authorization'))
    const memberId = token ? await resolveMemberSession(deps.db, deps.clock, token) : null
    if (!memberId) throw new DomainError('unauthorized', '登录已过期，请重新登录', 401)
    ctx.state.memberId = memberId
    ctx.state.log = ctx.state.log.child({ memberId })
    await next()
  }
}
