// Every router of the app, in one list: health, the operator API and the mini-program API.
import type { Middleware } from 'koa'
import { ApiRouter, type RouteRegistry } from '../api-router'
import type { AppDeps } from '../deps'
import { memberAuth, operatorAuth } from '../middleware/auth'
import { registerHealth } from './health'
import { registerAdminSession } from './admin/session'
import { registerMpProfile } from './mp/profile'
import { registerAdminMembers } from './admin/members'
import { registerAdminTags } from './admin/tags'
import { registerAdminSegments } from './admin/segments'
import { registerAdminTill } from './admin/till'
import { registerAdminCampaigns } from './admin/campaigns'
import { registerAdminCampaignCalendar } from './admin/campaigns-calendar'
import { registerMpSubscribeConsents } from './mp/subscribe-consents'

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
  registerAdminMembers(admin, deps)
  registerAdminTags(admin, deps)
  registerAdminSegments(admin, deps)
  registerAdminTill(admin, deps)
  registerAdminCampaigns(admin, deps)
  registerAdminCampaignCalendar(admin, deps)
  registerMpSubscribeConsents(mp, deps)

  return [open, adminPublic, admin, mp].map((r) => r.routes())
}
