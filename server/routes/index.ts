// Every router of the app, in one list: health, the operator API and the mini-program API.
import type { Middleware } from 'koa'
import { ApiRouter, type RouteRegistry } from '../api-router'
import type { AppDeps } from '../deps'
import { memberAuth, operatorAuth } from '../middleware/auth'
import { registerHealth } from './health'
import { registerAdminSession } from './admin/session'
import { registerAdminReports } from './admin/reports'
import { registerMpProfile } from './mp/profile'
import { registerAdminTiers } from './admin/tiers'
import { registerAdminPoints } from './admin/points'
import { registerAdminBenefits } from './admin/benefits'
import { registerAdminRewards } from './admin/rewards'
import { registerAdminHonours } from './admin/honours'
import { registerMpCard } from './mp/card'
import { registerMpPoints } from './mp/points'
import { registerMpTasks } from './mp/tasks'
import { registerMpRewards } from './mp/rewards'

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
  registerAdminReports(admin, deps)
  registerMpProfile(mp, deps)
  registerAdminTiers(admin, deps)
  registerAdminPoints(admin, deps)
  registerAdminBenefits(admin, deps)
  registerAdminRewards(admin, deps)
  registerAdminHonours(admin, deps)
  registerMpCard(mp, deps)
  registerMpPoints(mp, deps)
  registerMpTasks(mp, deps)
  registerMpRewards(mp, deps)

  return [open, adminPublic, admin, mp].map((r) => r.routes())
}
