// Every router of the app, in one list: health, the operator API and the mini-program API.
import type { Middleware } from 'koa'
import { ApiRouter, type RouteRegistry } from '../api-router'
import type { AppDeps } from '../deps'
import { memberAuth, operatorAuth } from '../middleware/auth'
import { registerHealth } from './health'
import { registerAdminSession } from './admin/session'
import { registerMpProfile } from './mp/profile'
import { registerAdminReferrals } from './admin/referrals'
import { registerAdminPromoters } from './admin/promoters'
import { registerAdminCommissions } from './admin/commissions'
import { registerAdminWithdrawals } from './admin/withdrawals'
import { registerAdminAdvocates } from './admin/advocates'
import { registerMpReferral } from './mp/referral'
import { registerMpCommission } from './mp/commission'
import { registerMpSurvey } from './mp/survey'

export function mountRoutes(registry: RouteRegistry, deps: AppDeps): Middleware[] {
  const open = new ApiRouter(registry, { prefix: '', tag: 'system', secured: null })
  const adminPublic = new ApiRouter(registry, { prefix: '/api/admin', tag: 'admin', secured: null })
  const admin = new ApiRouter(registry, {
    prefix: '/api/admin',
    tag: 'admin',
    secured: 'operator',
    auth: operatorAuth(deps),
  })
  const mp = new ApiRouter(registry, {
    prefix: '/api/mp',
    tag: 'mini-program',
    secured: 'member',
    auth: memberAuth(deps),
  })

  registerHealth(open, deps)
  registerAdminSession(adminPublic, admin, deps)
  registerMpProfile(mp, deps)
  registerAdminReferrals(admin, deps)
  registerAdminPromoters(admin, deps)
  registerAdminCommissions(admin, deps)
  registerAdminWithdrawals(admin, deps)
  registerAdminAdvocates(admin, deps)
  registerMpReferral(mp, deps)
  registerMpCommission(mp, deps)
  registerMpSurvey(mp, deps)

  return [open, adminPublic, admin, mp].map((r) => r.routes())
}
