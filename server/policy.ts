// Who may do what in the operator API: one table of actions and the roles allowed each, and one map
// from every admin operation to its action. The router refuses to mount an admin operation missing
// here, the OpenAPI document states each operation's roles (`x-roles`) and `/api/admin/me` lists the
// actions of the signed-in role, so the console builds its menu from the same table.
import { operatorRoles, type OperatorRole } from '../shared/db/schema/auth'

const A = 'admin'
const O = 'operator'
const S = 'staff'
const F = 'finance'
const V = 'advisor'

/** Every action and the roles that may perform it. */
export const policy = {
  /** Oneself: who am I, change my password, my sessions, sign out. */
  'self.manage': [A, O, S, F, V],
  'operators.manage': [A],
  'reports.read': [A, O, F],
  /** Lists and searches across all members. */
  'members.search': [A, O],
  /** One member's record; advisors only for members of their own bot accounts. */
  'members.read': [A, O, V],
  /** A member's phone number in full (everyone else reads 138****5678). */
  'members.contact': [A, O],
  'members.write': [A, O, V],
  'members.merge': [A, O],
  'members.tag': [A, O, S, V],
  'members.settings': [A, O],
  /** The advisor's own members (those assigned to their bot accounts; none for an administrator). */
  'advisor.members': [A, V],
  'tags.read': [A, O, S, V],
  'tags.manage': [A, O],
  'segments.use': [A, O],
  'till.lookup': [A, O, S],
  'benefits.use': [A, O, S],
  'loyalty.read': [A, O],
  'loyalty.manage': [A, O],
  'points.adjust': [A, O],
  'catalog.read': [A, O],
  'catalog.manage': [A, O],
  'orders.read': [A, O, F],
  'orders.ship': [A, O],
  'orders.refund': [A, F],
  'marketing.read': [A, O],
  'marketing.manage': [A, O],
  'referrals.read': [A, O, F],
  'referrals.manage': [A, O],
  'referrals.settings': [A],
  'advocates.ask': [A, O, S],
  'promoters.share': [A, O, S],
  'commissions.read': [A, O, F],
  'withdrawals.read': [A, O, F],
  'withdrawals.review': [A, F],
  'campaigns.read': [A, O],
  'campaigns.manage': [A, O],
  'chat.read': [A, O],
  /** The chats of the bot accounts one serves: the workbench, feedback tickets and the outbox (advisors: their own). */
  'chat.serve': [A, O, V],
  'chat.manage': [A, O],
  'accounts.secrets': [A],
  /**
   * Rules operators change as data (store rules, the points policy, keyword replies, welcome texts, the
   * feedback lexicon), with their history.
   */
  'settings.read': [A, O],
  'settings.manage': [A, O],
  /** Record a purchase made at the till of a physical store. */
  'till.purchase': [A, O, S],
  /** Back-fill in-store purchases from a POS export. */
  'orders.import': [A, O],
} as const satisfies Record<string, readonly OperatorRole[]>

export type Action = keyof typeof policy

export function authorize(role: OperatorRole, action: Action): boolean {
  return (policy[action] as readonly OperatorRole[]).includes(role)
}

/** The actions a role may perform, for the console's menu. */
export const actionsOf = (role: OperatorRole): Action[] =>
  (Object.keys(policy) as Action[]).filter((a) => authorize(role, a))

/** Actions allowed while an operator still has to replace the initial password. */
/** Actions whose data an advisor sees only for the bot accounts they serve (`ctx.state.accountScope`). */
export const accountScoped: ReadonlySet<Action> = new Set(['chat.serve'])

export const beforePasswordChange: ReadonlySet<Action> = new Set(['self.manage'])

/**
 * Every admin operation ("METHOD /path" with OpenAPI-style {params}) → its action, and for operations
 * on one member, the path parameter naming that member (an advisor's scope is checked on it).
 */
export const operations: Record<string, Action | [Action, string]> = {
  'POST /api/admin/store-purchases/imports': 'orders.import',
  'GET /api/admin/store-purchases': 'orders.read',
  'POST /api/admin/store-purchases': 'till.purchase',
  'POST /api/admin/stores': 'catalog.manage',
  'GET /api/admin/stores': 'till.lookup',
  'POST /api/admin/after-sales/{id}/decision': 'orders.refund',
  'GET /api/admin/after-sales': 'orders.read',
  'GET /api/admin/lotteries/{id}/audit': 'marketing.read',
  'POST /api/admin/lotteries/{id}/draw-grants': 'marketing.manage',
  'POST /api/admin/lotteries': 'marketing.manage',
  'GET /api/admin/lotteries': 'marketing.read',
  'POST /api/admin/bargain-campaigns/{id}/end': 'marketing.manage',
  'POST /api/admin/bargain-campaigns': 'marketing.manage',
  'GET /api/admin/bargain-campaigns': 'marketing.read',
  'GET /api/admin/settings/{key}/history': 'settings.read',
  'PUT /api/admin/settings/{key}': 'settings.manage',
  'GET /api/admin/settings/{key}': 'settings.read',
  'GET /api/admin/settings': 'settings.read',
  'GET /api/admin/chat-rules': 'settings.read',
  'POST /api/admin/chat-rules/test': 'settings.read',
  'PUT /api/admin/chat-rules/keyword-replies': 'settings.manage',
  'GET /api/admin/chat-rules/keyword-replies/history': 'settings.read',
  'PUT /api/admin/chat-rules/welcome-texts': 'settings.manage',
  'GET /api/admin/chat-rules/welcome-texts/history': 'settings.read',
  'PUT /api/admin/chat-rules/feedback-lexicon': 'settings.manage',
  'GET /api/admin/chat-rules/feedback-lexicon/history': 'settings.read',
  'PATCH /api/admin/live-codes/{id}': 'chat.manage',
  'POST /api/admin/live-codes': 'chat.manage',
  'GET /api/admin/live-codes': 'chat.read',
  'PUT /api/admin/accounts/{id}/contact-qr': 'chat.manage',
  'GET /api/admin/accounts/{id}/contact-qr': 'chat.read',
  'GET /api/admin/me': 'self.manage',
  'POST /api/admin/logout': 'self.manage',
  'POST /api/admin/me/password': 'self.manage',
  'GET /api/admin/me/sessions': 'self.manage',
  'DELETE /api/admin/me/sessions/{id}': 'self.manage',
  'GET /api/admin/operators': 'operators.manage',
  'POST /api/admin/operators': 'operators.manage',
  'PATCH /api/admin/operators/{id}': 'operators.manage',
  'POST /api/admin/operators/{id}/password': 'operators.manage',
  'GET /api/admin/operators/{id}/sessions': 'operators.manage',
  'DELETE /api/admin/operators/{id}/sessions/{sessionId}': 'operators.manage',
  'GET /api/admin/roles': 'operators.manage',
  'GET /api/admin/advisor/members': 'advisor.members',

  'GET /api/admin/reports/funnel': 'reports.read',
  'GET /api/admin/reports/tiers': 'reports.read',
  'GET /api/admin/reports/period': 'reports.read',
  'GET /api/admin/reports/growth': 'reports.read',
  'GET /api/admin/reports/members': 'members.search',
  'GET /api/admin/reports/members/{id}': ['members.read', 'id'],

  'GET /api/admin/accounts': 'chat.read',
  'POST /api/admin/accounts': 'chat.manage',
  'PATCH /api/admin/accounts/{id}': 'chat.manage',
  'PUT /api/admin/accounts/{id}/token': 'accounts.secrets',
  'GET /api/admin/accounts/{id}/qr': 'chat.manage',
  'POST /api/admin/accounts/{id}/ban': 'chat.manage',
  'GET /api/admin/accounts/reassignments': 'chat.read',
  'POST /api/admin/accounts/reassignments/{id}/done': 'chat.manage',
  'GET /api/admin/groups': 'chat.read',
  'PATCH /api/admin/groups/{id}': 'chat.manage',
  'POST /api/admin/groups/{id}/announcements': 'chat.manage',
  'POST /api/admin/groups/{id}/invites': 'chat.manage',
  'GET /api/admin/tickets': 'chat.serve',
  'POST /api/admin/tickets/{id}/resolve': 'chat.serve',
  'GET /api/admin/outbox/summary': 'chat.serve',
  'GET /api/admin/outbox': 'chat.serve',
  'POST /api/admin/outbox/{id}/retry': 'chat.serve',
  'POST /api/admin/outbox/{id}/cancel': 'chat.serve',
  'POST /api/admin/outbox/{id}/drop': 'chat.serve',
  'GET /api/admin/conversations': 'chat.serve',
  'GET /api/admin/conversations/{memberId}': ['chat.serve', 'memberId'],
  'GET /api/admin/conversations/{memberId}/messages': ['chat.serve', 'memberId'],
  'POST /api/admin/conversations/{memberId}/messages': ['chat.serve', 'memberId'],
  'GET /api/admin/conversations/{memberId}/quick-replies': ['chat.serve', 'memberId'],
  'POST /api/admin/conversations/{memberId}/tickets': ['chat.serve', 'memberId'],

  'GET /api/admin/tiers': 'loyalty.read',
  'GET /api/admin/tiers/rule-codes': 'loyalty.read',
  'PATCH /api/admin/tiers/{ladder}/levels/{level}': 'loyalty.manage',
  'POST /api/admin/tiers/{ladder}/dry-run': 'loyalty.manage',
  'POST /api/admin/tiers/{ladder}/rules': 'loyalty.manage',
  'DELETE /api/admin/tiers/rule-sets/{id}': 'loyalty.manage',
  'GET /api/admin/tiers/{ladder}/notices': 'loyalty.read',
  'POST /api/admin/tiers/evaluate': 'loyalty.manage',
  'GET /api/admin/tiers/members/{memberId}': ['members.read', 'memberId'],
  'PUT /api/admin/tiers/members/{memberId}/{ladder}': 'loyalty.manage',
  'GET /api/admin/points/policy': 'loyalty.read',
  'PUT /api/admin/points/policy': 'loyalty.manage',
  'GET /api/admin/points/members/{memberId}': ['members.read', 'memberId'],
  'GET /api/admin/points/expiring': 'loyalty.read',
  'POST /api/admin/points/adjustments': 'points.adjust',
  'POST /api/admin/points/imports': 'points.adjust',
  'GET /api/admin/points/tasks': 'loyalty.read',
  'PUT /api/admin/points/tasks/{code}': 'loyalty.manage',
  'GET /api/admin/benefits': 'loyalty.read',
  'POST /api/admin/benefits': 'loyalty.manage',
  'GET /api/admin/benefits/report': 'loyalty.read',
  'GET /api/admin/benefits/{id}/uses': 'loyalty.read',
  'GET /api/admin/benefits/members/{memberId}': 'benefits.use',
  'POST /api/admin/benefits/uses': 'benefits.use',
  'GET /api/admin/rewards': 'loyalty.read',
  'POST /api/admin/rewards': 'loyalty.manage',
  'PATCH /api/admin/rewards/{id}': 'loyalty.manage',
  'GET /api/admin/rewards/redemptions': 'loyalty.read',
  'POST /api/admin/rewards/redemptions/{id}/cancel': 'loyalty.manage',
  'POST /api/admin/rewards/redemptions/{id}/fulfil': 'benefits.use',
  'POST /api/admin/rewards/vouchers/{code}/fulfil': 'benefits.use',
  'GET /api/admin/honours/leaderboard': 'loyalty.read',
  'POST /api/admin/honours/awards': 'loyalty.manage',

  'GET /api/admin/categories': 'catalog.read',
  'POST /api/admin/categories': 'catalog.manage',
  'GET /api/admin/brands': 'catalog.read',
  'POST /api/admin/brands': 'catalog.manage',
  'GET /api/admin/products': 'catalog.read',
  'POST /api/admin/products': 'catalog.manage',
  'GET /api/admin/products/{id}': 'catalog.read',
  'PATCH /api/admin/products/{id}': 'catalog.manage',
  'POST /api/admin/products/{id}/skus': 'catalog.manage',
  'PATCH /api/admin/skus/{id}': 'catalog.manage',
  'POST /api/admin/uploads/images': 'catalog.manage',
  'GET /api/admin/catalog/price-levels': 'catalog.read',
  'GET /api/admin/orders': 'orders.read',
  'GET /api/admin/orders/{orderNo}': 'orders.read',
  'POST /api/admin/orders/{orderNo}/ship': 'orders.ship',
  'POST /api/admin/orders/{orderNo}/refund': 'orders.refund',
  'GET /api/admin/coupon-templates': 'marketing.read',
  'POST /api/admin/coupon-templates': 'marketing.manage',
  'PATCH /api/admin/coupon-templates/{id}': 'marketing.manage',
  'POST /api/admin/coupon-templates/{id}/issue': 'marketing.manage',
  'GET /api/admin/coupon-templates/{id}/usage': 'marketing.read',
  'GET /api/admin/flash-sales': 'marketing.read',
  'POST /api/admin/flash-sales': 'marketing.manage',
  'POST /api/admin/flash-sales/{id}/end': 'marketing.manage',
  'GET /api/admin/group-buys': 'marketing.read',
  'POST /api/admin/group-buys': 'marketing.manage',
  'GET /api/admin/group-buys/{id}/groups': 'marketing.read',

  'GET /api/admin/referrals': 'referrals.read',
  'GET /api/admin/referrals/members/{memberId}/tree': 'referrals.read',
  'GET /api/admin/referrals/members/{memberId}/upline': 'referrals.read',
  'GET /api/admin/referrals/super-communicators': 'referrals.read',
  'POST /api/admin/referrals/stats/refresh': 'referrals.manage',
  'GET /api/admin/referrals/rate': 'referrals.read',
  'GET /api/admin/referrals/settings': 'referrals.read',
  'PUT /api/admin/referrals/settings': 'referrals.settings',
  'GET /api/admin/promoters/commission-rules': 'referrals.read',
  'GET /api/admin/promoters/levels': 'referrals.read',
  'PUT /api/admin/promoters/levels/{code}': 'referrals.settings',
  'GET /api/admin/promoters': 'referrals.read',
  'POST /api/admin/promoters': 'referrals.manage',
  'PATCH /api/admin/promoters/{promoterId}': 'referrals.manage',
  'GET /api/admin/promoters/{promoterId}/share-code': 'promoters.share',
  'GET /api/admin/promoters/{promoterId}/share-code/image': 'promoters.share',
  'GET /api/admin/commissions': 'commissions.read',
  'GET /api/admin/commissions/accounts/{promoterId}': 'commissions.read',
  'GET /api/admin/withdrawals': 'withdrawals.read',
  'POST /api/admin/withdrawals': 'withdrawals.review',
  'POST /api/admin/withdrawals/{withdrawalId}/approve': 'withdrawals.review',
  'POST /api/admin/withdrawals/{withdrawalId}/reject': 'withdrawals.review',
  'POST /api/admin/withdrawals/{withdrawalId}/pay': 'withdrawals.review',
  'GET /api/admin/advocates': 'referrals.read',
  'GET /api/admin/advocates/leaderboard': 'referrals.read',
  'GET /api/admin/advocates/asks': 'referrals.read',
  'POST /api/admin/advocates/asks': 'advocates.ask',

  'GET /api/admin/members/funnel': 'members.search',
  'GET /api/admin/members/candidates': 'members.search',
  'GET /api/admin/members/candidates/criteria': 'members.settings',
  'PUT /api/admin/members/candidates/criteria/{code}': 'members.settings',
  'POST /api/admin/members/merge': 'members.merge',
  'POST /api/admin/members/merges/{id}/undo': 'members.merge',
  'GET /api/admin/members/{id}': ['members.read', 'id'],
  'PATCH /api/admin/members/{id}': ['members.write', 'id'],
  'GET /api/admin/members/{id}/timeline': ['members.read', 'id'],
  'GET /api/admin/members/{id}/merges': ['members.read', 'id'],
  'GET /api/admin/tags': 'tags.read',
  'POST /api/admin/tags': 'tags.manage',
  'POST /api/admin/tags/dimensions': 'tags.manage',
  'GET /api/admin/members/{id}/tags': ['members.tag', 'id'],
  'POST /api/admin/members/{id}/tags': ['members.tag', 'id'],
  'DELETE /api/admin/members/{id}/tags/{tagId}': ['members.tag', 'id'],
  'POST /api/admin/segments/count': 'segments.use',
  'POST /api/admin/segments/members': 'segments.use',
  'POST /api/admin/segments/export': 'segments.use',
  'GET /api/admin/segments/ready-made': 'segments.use',
  'GET /api/admin/segments/ready-made/{code}/export': 'segments.use',
  'GET /api/admin/segments': 'segments.use',
  'POST /api/admin/segments': 'segments.use',
  'GET /api/admin/segments/{id}': 'segments.use',
  'PUT /api/admin/segments/{id}': 'segments.use',
  'DELETE /api/admin/segments/{id}': 'segments.use',
  'GET /api/admin/segments/{id}/members': 'segments.use',
  'GET /api/admin/segments/{id}/export': 'segments.use',
  'GET /api/admin/till/lookup': 'till.lookup',

  'GET /api/admin/campaigns': 'campaigns.read',
  'POST /api/admin/campaigns': 'campaigns.manage',
  'POST /api/admin/campaigns/preview': 'campaigns.read',
  'POST /api/admin/campaigns/dry-run': 'campaigns.read',
  'GET /api/admin/campaigns/{id}': 'campaigns.read',
  'PUT /api/admin/campaigns/{id}': 'campaigns.manage',
  'POST /api/admin/campaigns/{id}/preview': 'campaigns.read',
  'POST /api/admin/campaigns/{id}/dry-run': 'campaigns.read',
  'POST /api/admin/campaigns/{id}/approve': 'campaigns.manage',
  'POST /api/admin/campaigns/{id}/pause': 'campaigns.manage',
  'POST /api/admin/campaigns/{id}/resume': 'campaigns.manage',
  'POST /api/admin/campaigns/{id}/archive': 'campaigns.manage',
  'GET /api/admin/campaigns/{id}/runs': 'campaigns.read',
  'GET /api/admin/campaigns/{id}/results': 'campaigns.read',
  'GET /api/admin/campaign-runs/{runId}/unreachable': 'campaigns.read',
  'POST /api/admin/campaign-runs/{runId}/cancel': 'campaigns.manage',
  'GET /api/admin/campaign-calendar': 'campaigns.read',
  'GET /api/admin/campaign-variables': 'campaigns.read',
  'GET /api/admin/brand-dates': 'campaigns.read',
  'POST /api/admin/brand-dates': 'campaigns.manage',
  'DELETE /api/admin/brand-dates/{id}': 'campaigns.manage',
  'GET /api/admin/campaign-service-dates': 'campaigns.read',
  'POST /api/admin/campaign-service-dates': 'campaigns.manage',
  'DELETE /api/admin/campaign-service-dates/{id}': 'campaigns.manage',
}

export interface OperationPolicy {
  action: Action
  roles: readonly OperatorRole[]
  /** The path parameter naming the one member the operation concerns (advisors' scope). */
  memberParam?: string
}

/** The policy of an admin operation; throws at start-up for one missing from the table. */
export function operationPolicy(method: string, koaPath: string): OperationPolicy {
  const key = `${method.toUpperCase()} ${koaPath.replace(/:(\w+)/g, '{$1}')}`
  const entry = operations[key]
  if (!entry) throw new Error(`server/policy.ts: no action for the admin operation ${key}`)
  const [action, memberParam] = Array.isArray(entry) ? entry : [entry, undefined]
  return { action, roles: policy[action], ...(memberParam ? { memberParam } : {}) }
}

export { roleNames } from '../shared/auth/labels'

export const allRoles = operatorRoles
