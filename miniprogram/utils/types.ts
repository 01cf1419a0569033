// The response shapes the pages read, declared here (the mini-program cannot import server code).
// The server's OpenAPI document (/api/openapi.json) is the source of truth.
export interface LoginResult {
  token: string
  expiresAt: string
  isNew: boolean
}

export interface Category {
  id: number
  name: string
  parentId: number | null
  sort: number
}

export interface ProductCard {
  id: number
  title: string
  subtitle: string | null
  image: string | null
  categoryId: number
  priceFen: number
  memberPriceFen: number | null
  soldCount: number
  inStock: boolean
}

export interface ProductPage {
  items: ProductCard[]
  total: number
  page: number
  pageSize: number
}

export interface Sku {
  id: number
  spec: string
  priceFen: number
  memberPriceFen: number | null
  stock: number
}

export interface ProductDetail {
  id: number
  title: string
  subtitle: string | null
  description: string | null
  images: string[]
  category: { id: number; name: string }
  brand: { id: number; name: string } | null
  soldCount: number
  skus: Sku[]
}

export interface CartItem {
  skuId: number
  productId: number
  title: string
  spec: string
  image: string | null
  quantity: number
  listPriceFen: number
  unitPriceFen: number
  available: boolean
}

export interface CartView {
  items: CartItem[]
  totalFen: number
}

export interface Address {
  id: number
  name: string
  phone: string
  province: string
  city: string
  district: string
  detail: string
  isDefault: boolean
}

export interface MemberCoupon {
  id: number
  templateId: number
  name: string
  kind: string
  amountFen: number | null
  percentOff: number | null
  thresholdFen: number | null
  status: string
  validFrom: string
  validUntil: string
}

export interface Quote {
  kind: 'goods' | 'membership'
  lines: {
    skuId: number
    title: string
    spec: string
    quantity: number
    listPriceFen: number
    unitPriceFen: number
    priceSource: string
  }[]
  itemsFen: number
  discountFen: number
  pointsUsed: number
  pointsDeductFen: number
  shippingFen: number
  payFen: number
}

export interface OrderView {
  orderNo: string
  kind: 'goods' | 'membership'
  status: 'pending' | 'paid' | 'shipped' | 'completed' | 'cancelled' | 'refunded'
  statusName: string
  itemsFen: number
  discountFen: number
  pointsUsed: number
  pointsDeductFen: number
  shippingFen: number
  payFen: number
  createdAt: string
  expiresAt: string | null
  trackingNo: string | null
  shippingCompany: string | null
  items: {
    productId: number
    skuId: number
    title: string
    spec: string
    quantity: number
    unitPriceFen: number
  }[]
}

export interface PayResult {
  orderNo: string
  payment: { timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string }
}

export interface MemberCard {
  member: { memberNo: string; name: string | null; nickname: string | null; avatarUrl: string | null }
  levels: {
    ladder: string
    ladderName: string
    kind: 'vertical' | 'horizontal'
    level: string
    levelName: string
    pointsMultiplierPct: number
    endsAt: string | null
  }[]
  pointsMultiplierPct: number
  benefits: {
    code: string
    name: string
    kind: string
    description: string | null
    level: string
    quota: number | null
    used: number | null
    remaining: number | null
    discountPct: number | null
  }[]
  points: { balance: number; expiringPoints: number; expiringSoonestAt: string | null }
  honours: { code: string; title: string; periodKey: string; rank: number }[]
  tillCode: { payload: string; expiresAt: string; qrDataUrl: string }
}

export interface PointsHistory {
  balance: number
  expiring: { points: number; soonestAt: string | null }
  entries: {
    id: number
    kind: 'earn' | 'spend' | 'expire' | 'adjust' | 'reverse'
    amount: number
    reason: string
    at: string
    expiresAt: string | null
    remaining: number | null
  }[]
  nextBefore: number | null
}

export interface MemberTask {
  code: string
  name: string
  description: string | null
  points: number
  limitPer: string
  limitTimes: number
  doneInPeriod: number
  available: boolean
  selfService: boolean
  streak?: number
  nextBonus?: number
}

export interface TaskCompletion {
  task: string
  points: number
  bonus: number
  streak: number | null
  balance: number
  doneInPeriod: number
  limit: number
}

export interface RewardItem {
  id: number
  code: string
  name: string
  kind: string
  description: string | null
  imageUrl: string | null
  pointsCost: number
  stock: number | null
  redeemedByMe: number
  perMemberLimit: number | null
  unavailable: string | null
}

export interface RewardCatalogue {
  balance: number
  items: RewardItem[]
}

export interface RedeemResult {
  redemptionId: number
  reward: string
  points: number
  voucherCode: string | null
  expiresAt: string | null
  balance: number
  duplicate: boolean
}

export interface ShareTarget {
  code: string
  scene: string
  page: string
  path: string
}

export interface ClaimResult {
  outcome: string
  attributed: boolean
  message: string
  referrerName: string | null
}

export interface PendingSurvey {
  question: string
  survey: { orderId: number; orderNo: string; paidAt: string } | null
}
