// The policy table applied to one admin operation: the role must be allowed its action, an operator
// who still has the initial password may only change it, and an advisor only reaches
// their own members and the chats of their own bot accounts.
import type { Middleware } from 'koa'
import { advisorAccountIds, memberInAdvisorScope } from '../../shared/auth/operators'
import { DomainError } from '../../shared/errors'
import type { AppDeps, AppState } from '../deps'
import { accountScoped, authorize, beforePasswordChange, type OperationPolicy } from '../policy'

export function authorizeOperation(deps: AppDeps, rule: OperationPolicy): Middleware<AppState> {
  return async (ctx, next) => {
    const operator = ctx.state.operator
    if (!operator) throw new DomainError('unauthorized', '请先登录', 401)
    if (operator.mustChangePassword && !beforePasswordChange.has(rule.action))
      throw new DomainError('password_change_required', '首次登录请先修改初始密码', 403)
    if (!authorize(operator.role, rule.action)) throw new DomainError('forbidden', '没有权限执行此操作', 403)
    if (operator.role === 'advisor' && rule.memberParam) {
      const memberId = Number((ctx as unknown as { params: Record<string, string> }).params[rule.memberParam])
      // An id that is no id is left to the route's validation (a 400 naming the parameter).
      if (
        Number.isSafeInteger(memberId) &&
        memberId > 0 &&
        !(await memberInAdvisorScope(deps.db, operator.id, memberId))
      )
        throw new DomainError('out_of_scope', '只能查看自己顾问账号下的会员', 403)
    }
    if (operator.role === 'advisor' && accountScoped.has(rule.action))
      ctx.state.accountScope = await advisorAccountIds(deps.db, operator.id)
    await next()
  }
}
