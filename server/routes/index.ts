// Every router of the app, in one list: health, the operator API and the mini-program API.
import type { Middleware } from 'koa'
import { ApiRouter, type RouteRegistry } from '../api-router'
import type { AppDeps } from '../deps'
import { memberAuth, operatorAuth, optionalMemberAuth } from '../middleware/auth'
import { authorizeOperation } from '../middleware/authorize'
import { operationPolicy } from '../policy'
import { registerHealth } from './health'
import { registerAdminSession } from './admin/session'
import { registerAdminOperators } from './admin/operators'
import { registerAdminReports } from './admin/reports'
import { registerMpProfile } from './mp/profile'
import { registerAdminAccounts } from './admin/accounts'
import { registerAdminLiveCodes } from './admin/live-codes'
import { registerAdminGroups } from './admin/groups'
import { registerAdminOutbox } from './admin/outbox'
import { registerAdminTickets } from './admin/tickets'
import { registerAdminWorkbench } from './admin/workbench'
import { registerMpAdvisor } from './mp/advisor'
import { registerAdminTiers } from './admin/tiers'
import { registerAdminPoints } from './admin/points'
import { registerAdminSettings } from './admin/settings'
import { registerAdminChatRules } from './admin/chat-rules'
import { registerAdminBenefits } from './admin/benefits'
import { registerAdminRewards } from './admin/rewards'
import { registerAdminHonours } from './admin/honours'
import { registerMpCard } from './mp/card'
import { registerMpPoints } from './mp/points'
import { registerMpTasks } from './mp/tasks'
import { registerMpRewards } from './mp/rewards'
import { registerMpLogin } from './mp/login'
import { registerMpProducts } from './mp/products'
import { registerMpCart } from './mp/cart'
import { registerMpAddresses } from './mp/addresses'
import { registerMpOrders } from './mp/orders'
import { registerMpCoupons } from './mp/coupons'
import { registerMpFlashSales } from './mp/flash-sales'
import { registerMpGroupBuys } from './mp/group-buys'
import { registerPayNotify } from './pay/notify'
import { registerAdminProducts } from './admin/products'
import { registerAdminOrders } from './admin/orders'
import { registerAdminCoupons } from './admin/coupons'
import { registerAdminFlashSales } from './admin/flash-sales'
import { registerAdminGroupBuys } from './admin/group-buys'
import { registerAdminReferrals } from './admin/referrals'
import { registerAdminPromoters } from './admin/promoters'
import { registerAdminCommissions } from './admin/commissions'
import { registerAdminWithdrawals } from './admin/withdrawals'
import { registerAdminAdvocates } from './admin/advocates'
import { registerMpReferral } from './mp/referral'
import { registerMpCommission } from './mp/commission'
import { registerMpSurvey } from './mp/survey'
import { registerAdminMembers } from './admin/members'
import { registerAdminTags } from './admin/tags'
import { registerAdminSegments } from './admin/segments'
import { registerAdminTill } from './admin/till'
import { registerAdminCampaigns } from './admin/campaigns'
import { registerAdminCampaignCalendar } from './admin/campaigns-calendar'
import { registerMpSubscribeConsents } from './mp/subscribe-consents'
import { registerOfficialAccount } from './wechat/official-account'
import { registerMpBargains } from './mp/bargains'
import { registerMpLotteries } from './mp/lotteries'
import { registerMpAfterSales } from './mp/after-sales'
import { registerAdminBargains } from './admin/bargains'
import { registerAdminLotteries } from './admin/lotteries'
import { registerAdminAfterSales } from './admin/after-sales'
import { registerAdminStores } from './admin/stores'
import { registerAdminUploads } from './admin/uploads'
import { registerMpDemo } from './mp/demo'
import { registerMpMemberships } from './mp/memberships'

export function mountRoutes(registry: RouteRegistry, deps: AppDeps): Middleware[] {
  const open = new ApiRouter(registry, { prefix: '', tag: 'system', secured: null })
  const adminPublic = new ApiRouter(registry, { prefix: '/api/admin', tag: 'admin', secured: null })
  const admin = new ApiRouter(registry, {
    prefix: '/api/admin',
    tag: 'admin',
    secured: 'operator',
    auth: operatorAuth(deps),
    guard: (method, path) => {
      const rule = operationPolicy(method, path)
      return { use: authorizeOperation(deps, rule), roles: rule.roles }
    },
  })
  const mpPublic = new ApiRouter(registry, { prefix: '/api/mp', tag: 'mini-program', secured: null })
  // What a visitor may read before logging in; a member token adds member prices.
  const mpBrowse = new ApiRouter(registry, {
    prefix: '/api/mp',
    tag: 'mini-program',
    secured: null,
    auth: optionalMemberAuth(deps),
  })
  const pay = new ApiRouter(registry, { prefix: '', tag: 'wechat-pay', secured: null })
  const officialAccount = new ApiRouter(registry, {
    prefix: '/wechat',
    tag: 'official-account',
    secured: null,
  })
  const mp = new ApiRouter(registry, {
    prefix: '/api/mp',
    tag: 'mini-program',
    secured: 'member',
    auth: memberAuth(deps),
  })

  registerHealth(open, deps)
  registerAdminSession(adminPublic, admin, deps)
  registerAdminOperators(admin, deps)
  registerAdminReports(admin, deps)
  registerMpProfile(mp, deps)
  registerAdminAccounts(admin, deps)
  registerAdminLiveCodes(admin, open, deps)
  registerAdminGroups(admin, deps)
  registerAdminTickets(admin, deps)
  registerAdminOutbox(admin, deps)
  registerAdminWorkbench(admin, deps)
  registerMpAdvisor(mp, deps)
  registerAdminTiers(admin, deps)
  registerAdminPoints(admin, deps)
  registerAdminSettings(admin, deps)
  registerAdminChatRules(admin, deps)
  registerAdminBenefits(admin, deps)
  registerAdminRewards(admin, deps)
  registerAdminHonours(admin, deps)
  registerMpCard(mp, deps)
  registerMpPoints(mp, deps)
  registerMpTasks(mp, deps)
  registerMpRewards(mp, deps)
  registerMpLogin(mpPublic, mp, deps)
  registerMpProducts(mpBrowse, deps)
  registerMpCart(mp, deps)
  registerMpAddresses(mp, deps)
  registerMpOrders(mp, deps)
  registerMpCoupons(mp, deps)
  registerMpFlashSales(mpBrowse, deps)
  registerMpGroupBuys(mpBrowse, deps)
  registerPayNotify(pay, deps)
  registerAdminProducts(admin, deps)
  registerAdminOrders(admin, deps)
  registerAdminCoupons(admin, deps)
  registerAdminFlashSales(admin, deps)
  registerAdminGroupBuys(admin, deps)
  registerAdminReferrals(admin, deps)
  registerAdminPromoters(admin, deps)
  registerAdminCommissions(admin, deps)
  registerAdminWithdrawals(admin, deps)
  registerAdminAdvocates(admin, deps)
  registerMpReferral(mp, deps)
  registerMpCommission(mp, deps)
  registerMpSurvey(mp, deps)
  registerAdminMembers(admin, deps)
  registerAdminTags(admin, deps)
  registerAdminSegments(admin, deps)
  registerAdminTill(admin, deps)
  registerAdminCampaigns(admin, deps)
  registerAdminCampaignCalendar(admin, deps)
  registerMpSubscribeConsents(mp, deps)
  registerOfficialAccount(officialAccount, deps)
  registerMpBargains(mp, deps)
  registerMpLotteries(mp, deps)
  registerMpAfterSales(mp, deps)
  registerAdminBargains(admin, deps)
  registerAdminLotteries(admin, deps)
  registerAdminAfterSales(admin, deps)
  registerAdminStores(admin, deps)
  registerAdminUploads(admin, deps)

  registerMpDemo(mpPublic, mp, deps)
  registerMpMemberships(mpBrowse, deps)

  return [open, adminPublic, mpPublic, mpBrowse, pay, officialAccount, admin, mp].map((r) => r.routes())
}
