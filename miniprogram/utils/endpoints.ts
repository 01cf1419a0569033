// Every server endpoint the mini-program calls, in one list (a test checks each against the server's
// OpenAPI document, and api-types.ts types each call from it). Path parameters are written {name}, as
// in OpenAPI. wx.request has no PATCH.
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface Endpoint {
  method: HttpMethod
  path: string
}

const ep = <M extends HttpMethod, P extends string>(method: M, path: P) => ({
  method,
  path: `/api/mp${path}` as `/api/mp${P}`,
})

export const endpoints = {
  login: ep('POST', '/login'),
  demoLogin: ep('POST', '/login/demo'),
  categories: ep('GET', '/categories'),
  products: ep('GET', '/products'),
  product: ep('GET', '/products/{id}'),
  flashSales: ep('GET', '/flash-sales'),
  memberships: ep('GET', '/memberships'),
  groupBuys: ep('GET', '/group-buys'),
  joinableGroups: ep('GET', '/group-buys/{id}/groups'),
  group: ep('GET', '/group-buys/groups/{code}'),
  cart: ep('GET', '/cart'),
  setCartItem: ep('PUT', '/cart/items/{skuId}'),
  addresses: ep('GET', '/addresses'),
  addAddress: ep('POST', '/addresses'),
  coupons: ep('GET', '/coupons'),
  previewOrder: ep('POST', '/orders/preview'),
  createOrder: ep('POST', '/orders'),
  orders: ep('GET', '/orders'),
  order: ep('GET', '/orders/{orderNo}'),
  payOrder: ep('POST', '/orders/{orderNo}/pay'),
  demoPayOrder: ep('POST', '/orders/{orderNo}/demo-pay'),
  cancelOrder: ep('POST', '/orders/{orderNo}/cancel'),
  confirmOrder: ep('POST', '/orders/{orderNo}/confirm'),
  card: ep('GET', '/card'),
  me: ep('GET', '/me'),
  bindPhone: ep('POST', '/phone'),
  advisorBindCode: ep('POST', '/advisor/bind-code'),
  points: ep('GET', '/points'),
  tasks: ep('GET', '/tasks'),
  completeTask: ep('POST', '/tasks/{code}/complete'),
  checkIn: ep('POST', '/check-in'),
  rewards: ep('GET', '/rewards'),
  redeemReward: ep('POST', '/rewards/{id}/redeem'),
  redemptions: ep('GET', '/redemptions'),
  referralCode: ep('GET', '/referral/code'),
  referralClaim: ep('POST', '/referral/claim'),
  referralMine: ep('GET', '/referral/mine'),
  commission: ep('GET', '/commission'),
  joinPromoters: ep('POST', '/commission/join'),
  commissionRecords: ep('GET', '/commission/records'),
  commissionWithdrawals: ep('GET', '/commission/withdrawals'),
  requestWithdrawal: ep('POST', '/commission/withdrawals'),
  pendingSurvey: ep('GET', '/surveys/pending'),
  answerSurvey: ep('POST', '/surveys'),
  subscribeConsents: ep('POST', '/subscribe-consents'),
} satisfies Record<string, Endpoint>

export type Endpoints = typeof endpoints
export type EndpointName = keyof Endpoints

/** Fill {name} placeholders; values are URI-encoded. */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`missing path parameter ${name}`)
    return encodeURIComponent(String(value))
  })
}
