// Which operators may change the loyalty programme: store staff may look members up and record
// benefit uses at the till, but only administrators and operators change rules, points or the catalogue.
import type { Middleware } from 'koa'
import type { OperatorRole } from '../../../shared/db/schema/auth'
import { DomainError } from '../../../shared/errors'
import type { AppState } from '../../deps'

export function onlyRoles(...roles: OperatorRole[]): Middleware<AppState> {
  return async (ctx, next) => {
    const role = ctx.state.operator?.role
    if (!role || !roles.includes(role)) throw new DomainError('forbidden', '没有权限执行此操作', 403)
    await next()
  }
}

export const managers = onlyRoles('admin', 'operator')
