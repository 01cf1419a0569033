// Checkout: the server prices the order (member prices, coupon, points, shipping) in a preview; the
// member places it and pays with the wx.requestPayment parameters the server signs, then lands on the
// order's page, which shows whether the payment has arrived.
import { ApiError, call, messageOf, showError } from '../../utils/api'
import { yuan } from '../../utils/format'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import { payForOrder } from '../../utils/pay'
import { arrivalShareCode } from '../../utils/referral'
import { askSubscribe } from '../../utils/subscribe'
import type { Address, MemberCoupon, Quote } from '../../utils/types'

interface Line {
  skuId: number
  quantity: number
}

/** What is being bought: cart lines, a flash sale, or a group buy (opening or joining a group). */
interface Purchase {
  items?: Line[]
  flashSale?: { flashSaleId: number; quantity: number }
  groupBuy?: { groupBuyId: number; groupId?: number }
  membershipLevelId?: number
}

function parsed<T>(raw: string | undefined): T | undefined {
  if (!raw) return undefined
  try {
    return JSON.parse(decodeURIComponent(raw)) as T
  } catch {
    return undefined
  }
}

interface QuoteRow {
  lines: (Quote['lines'][number] & { unitPrice: string })[]
  items: string
  discount: string
  pointsUsed: number
  pointsDeduct: string
  shipping: string
  pay: string
}

const present = (q: Quote): QuoteRow => ({
  lines: q.lines.map((l) => ({ ...l, unitPrice: yuan(l.unitPriceFen) })),
  items: yuan(q.itemsFen),
  discount: yuan(q.discountFen),
  pointsUsed: q.pointsUsed,
  pointsDeduct: yuan(q.pointsDeductFen),
  shipping: yuan(q.shippingFen),
  pay: yuan(q.payFen),
})

Page({
  data: {
    lines: [] as Line[],
    purchase: {} as Purchase,
    fromCart: false,
    addresses: [] as Address[],
    address: null as Address | null,
    coupons: [] as MemberCoupon[],
    couponNames: ['不使用优惠券'] as string[],
    couponIndex: 0,
    usePoints: false,
    remark: '',
    quote: null as QuoteRow | null,
    quoteError: '',
    quoteKind: '' as Quote['kind'] | '',
    submitting: false,
    ...initialLoadState,
  },

  onLoad(query: Record<string, string | undefined>) {
    const lines = parsed<Line[]>(query.items) ?? []
    const flashSale = parsed<Purchase['flashSale']>(query.flashSale)
    const groupBuy = parsed<Purchase['groupBuy']>(query.groupBuy)
    const membershipLevelId = Number(query.membershipLevelId) || undefined
    const purchase: Purchase = flashSale
      ? { flashSale }
      : groupBuy
        ? { groupBuy }
        : membershipLevelId
          ? { membershipLevelId }
          : lines.length
            ? { items: lines }
            : {}
    this.setData({ lines, purchase, fromCart: query.fromCart === '1' })
    this.init()
  },

  init(): Promise<void> {
    return withLoadState(this, async () => {
      if (!this.hasPurchase()) return true
      const [addresses, coupons] = await Promise.all([
        call('addresses', { silent: true }),
        call('coupons', { query: { status: 'available' }, silent: true }),
      ])
      this.setData({
        addresses,
        address: addresses[0] ?? null,
        coupons,
        couponNames: ['不使用优惠券'].concat(coupons.map((c) => c.name)),
      })
      await this.preview()
      return false
    })
  },

  onRetry() {
    this.init()
  },

  hasPurchase(): boolean {
    const p = this.data.purchase
    return Boolean(p.flashSale || p.groupBuy || p.membershipLevelId || (p.items && p.items.length))
  },

  input() {
    const coupon = this.data.coupons[this.data.couponIndex - 1]
    return {
      ...this.data.purchase,
      addressId: this.data.address?.id,
      couponId: coupon?.id,
      usePoints: this.data.usePoints ? ('max' as const) : 0,
      shareCode: arrivalShareCode(),
      remark: this.data.remark || undefined,
      fromCart: this.data.fromCart,
    }
  },

  async preview() {
    if (!this.hasPurchase()) return
    try {
      const quote = await call('previewOrder', { body: this.input(), silent: true })
      this.setData({ quote: present(quote), quoteKind: quote.kind, quoteError: '' })
    } catch (e) {
      this.setData({ quote: null, quoteError: messageOf(e) })
    }
  },

  onRetryQuote() {
    this.preview()
  },

  onChooseAddress() {
    wx.chooseAddress({
      success: async (a) => {
        try {
          const saved = await call('addAddress', {
            body: {
              name: a.userName,
              phone: a.telNumber,
              province: a.provinceName,
              city: a.cityName,
              district: a.countyName,
              detail: a.detailInfo,
              isDefault: this.data.addresses.length === 0,
            },
          })
          this.setData({ address: saved, addresses: [saved].concat(this.data.addresses) })
          this.preview()
        } catch {
          // the toast has been shown
        }
      },
    })
  },

  onAddressPick(e: WechatMiniprogram.PickerChange) {
    const address = this.data.addresses[Number(e.detail.value)]
    if (address) {
      this.setData({ address })
      this.preview()
    }
  },

  onCouponPick(e: WechatMiniprogram.PickerChange) {
    this.setData({ couponIndex: Number(e.detail.value) })
    this.preview()
  },

  onPointsSwitch(e: WechatMiniprogram.SwitchChange) {
    this.setData({ usePoints: e.detail.value })
    this.preview()
  },

  onRemarkInput(e: WechatMiniprogram.Input) {
    this.setData({ remark: e.detail.value })
  },

  async onSubmit() {
    if (this.data.submitting) return
    // A membership ships nothing: the server's quote says which kind of order this is.
    if (!this.data.address && this.data.quoteKind !== 'membership') {
      wx.showToast({ title: '请先选择收货地址', icon: 'none' })
      return
    }
    this.setData({ submitting: true })
    let orderNo: string | null = null
    try {
      orderNo = (await call('createOrder', { body: this.input() })).orderNo
      const paid = await payForOrder(orderNo)
      if (paid) await askSubscribe()
      else wx.showToast({ title: '支付未完成，可在订单中继续支付', icon: 'none' })
      wx.redirectTo({ url: `/packages/order/detail/detail?orderNo=${orderNo}${paid ? '&paid=1' : ''}` })
    } catch (e) {
      if (orderNo) {
        // Placed but not paid: the order waits on its page until it expires.
        showError(e)
        wx.redirectTo({ url: `/packages/order/detail/detail?orderNo=${orderNo}` })
      } else if (!(e instanceof ApiError)) showError(e)
    } finally {
      this.setData({ submitting: false })
    }
  },
})
