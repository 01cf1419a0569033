// One order: its status (and whether the payment has arrived), items, amounts, the shipping address
// and parcel, and what the member can do next. Checkout lands here after paying (?paid=1): a payment
// WeChat has not confirmed yet shows as being confirmed, with a refresh.
import { call, showError } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import { payForOrder } from '../../../utils/pay'
import type { OrderView } from '../../../utils/types'

interface ShippingAddress {
  name?: string
  phone?: string
  province?: string
  city?: string
  district?: string
  detail?: string
}

Page({
  data: {
    orderNo: '',
    justPaid: false,
    order: null as OrderView | null,
    lines: [] as (OrderView['items'][number] & { unitPrice: string })[],
    amounts: { items: '', discount: '', pointsDeduct: '', shipping: '', pay: '' },
    paidAt: '',
    created: '',
    address: '',
    ...initialLoadState,
  },

  onLoad(query: Record<string, string | undefined>) {
    this.setData({ orderNo: query.orderNo ?? '', justPaid: query.paid === '1' })
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const order = await call('order', { params: { orderNo: this.data.orderNo }, silent: true })
      const a = (order.address ?? null) as ShippingAddress | null
      this.setData({
        order,
        lines: order.items.map((i) => ({ ...i, unitPrice: yuan(i.unitPriceFen) })),
        amounts: {
          items: yuan(order.itemsFen),
          discount: yuan(order.discountFen),
          pointsDeduct: yuan(order.pointsDeductFen),
          shipping: yuan(order.shippingFen),
          pay: yuan(order.payFen),
        },
        paidAt: shanghaiTime(order.paidAt),
        created: shanghaiTime(order.createdAt),
        address: a
          ? `${a.name ?? ''} ${a.phone ?? ''} ${a.province ?? ''}${a.city ?? ''}${a.district ?? ''} ${a.detail ?? ''}`
          : '',
      })
    })
  },

  onRetry() {
    this.load()
  },

  async onPay() {
    try {
      if (await payForOrder(this.data.orderNo)) this.setData({ justPaid: true })
    } catch (e) {
      showError(e)
    }
    this.load()
  },

  onConfirm() {
    wx.showModal({
      title: '确认收货',
      content: '确认已收到商品吗？',
      success: async (r) => {
        if (!r.confirm) return
        try {
          await call('confirmOrder', { params: { orderNo: this.data.orderNo } })
          this.load()
        } catch {
          // the toast has been shown
        }
      },
    })
  },

  onSurvey() {
    wx.navigateTo({ url: `/pages/survey/survey?orderNo=${this.data.orderNo}` })
  },

  /** A group-buy order: its group's share page, to invite friends to fill it. */
  onGroup() {
    const code = this.data.order?.groupShareCode
    if (code) wx.navigateTo({ url: `/packages/promo/group/group?code=${code}` })
  },
})
