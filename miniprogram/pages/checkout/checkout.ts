// Checkout: the server prices the order (member prices, coupon, points, shipping) in a preview; the
// member places it and pays with the wx.requestPayment parameters the server signs.
import { ApiError, call, showError } from '../../utils/api'
import { yuan } from '../../utils/format'
import { arrivalShareCode } from '../../utils/referral'
import { askSubscribe } from '../../utils/subscribe'
import type { Address, MemberCoupon, OrderView, PayResult, Quote } from '../../utils/types'

interface Line {
  skuId: number
  quantity: number
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

function requestPayment(payment: PayResult['payment']): Promise<void> {
  return new Promise((resolve, reject) => {
    wx.requestPayment({
      timeStamp: payment.timeStamp,
      nonceStr: payment.nonceStr,
      package: payment.package,
      signType: payment.signType,
      paySign: payment.paySign,
      success: () => resolve(),
      fail: (err) => reject(err),
    })
  })
}

Page({
  data: {
    lines: [] as Line[],
    fromCart: false,
    addresses: [] as Address[],
    address: null as Address | null,
    coupons: [] as MemberCoupon[],
    couponNames: ['不使用优惠券'] as string[],
    couponIndex: 0,
    usePoints: false,
    remark: '',
    quote: null as QuoteRow | null,
    submitting: false,
  },

  onLoad(query: Record<string, string | undefined>) {
    let lines: Line[] = []
    try {
      lines = JSON.parse(decodeURIComponent(query.items ?? '[]')) as Line[]
    } catch {
      lines = []
    }
    this.setData({ lines, fromCart: query.fromCart === '1' })
    this.init()
  },

  async init() {
    try {
      const [addresses, coupons] = await Promise.all([
        call<Address[]>('addresses'),
        call<MemberCoupon[]>('coupons', { query: { status: 'available' } }),
      ])
      this.setData({
        addresses,
        address: addresses[0] ?? null,
        coupons,
        couponNames: ['不使用优惠券'].concat(coupons.map((c) => c.name)),
      })
    } catch {
      // the toast has been shown
    }
    this.preview()
  },

  input() {
    const coupon = this.data.coupons[this.data.couponIndex - 1]
    return {
      items: this.data.lines,
      addressId: this.data.address?.id,
      couponId: coupon?.id,
      usePoints: this.data.usePoints ? 'max' : 0,
      shareCode: arrivalShareCode(),
      remark: this.data.remark || undefined,
      fromCart: this.data.fromCart,
    }
  },

  async preview() {
    if (this.data.lines.length === 0) return
    try {
      const quote = await call<Quote>('previewOrder', { body: this.input() })
      this.setData({ quote: present(quote) })
    } catch {
      this.setData({ quote: null })
    }
  },

  onChooseAddress() {
    wx.chooseAddress({
      success: async (a) => {
        try {
          const saved = await call<Address>('addAddress', {
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
    if (!this.data.address) {
      wx.showToast({ title: '请先选择收货地址', icon: 'none' })
      return
    }
    this.setData({ submitting: true })
    let order: OrderView | null = null
    try {
      order = await call<OrderView>('createOrder', { body: this.input() })
      const pay = await call<PayResult>('payOrder', { params: { orderNo: order.orderNo } })
      await requestPayment(pay.payment)
      wx.showToast({ title: '支付成功', icon: 'success' })
      await askSubscribe()
      wx.redirectTo({ url: `/pages/survey/survey?orderNo=${order.orderNo}` })
    } catch (e) {
      if (order) {
        // Placed but not paid: the order waits in 我的订单 until it expires.
        if (!(e instanceof ApiError)) wx.showToast({ title: '支付未完成，可在订单中继续支付', icon: 'none' })
        wx.redirectTo({ url: '/pages/orders/orders?status=pending' })
      } else if (!(e instanceof ApiError)) showError(e)
    } finally {
      this.setData({ submitting: false })
    }
  },
})
