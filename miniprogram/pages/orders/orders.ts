// My orders by status, with paying a pending order, cancelling it, and confirming receipt.
import { call, showError } from '../../utils/api'
import { shanghaiTime, yuan } from '../../utils/format'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import { payForOrder } from '../../utils/pay'
import type { OrderView } from '../../utils/types'

const PAGE_SIZE = 10
const TABS = [
  { status: '', name: '全部' },
  { status: 'pending', name: '待付款' },
  { status: 'paid', name: '待发货' },
  { status: 'shipped', name: '待收货' },
  { status: 'completed', name: '已完成' },
]

interface OrderRow extends OrderView {
  pay: string
  created: string
  summary: string
}

const rowOf = (o: OrderView): OrderRow => ({
  ...o,
  pay: yuan(o.payFen),
  created: shanghaiTime(o.createdAt),
  summary: o.items.map((i) => `${i.title}（${i.spec}）×${i.quantity}`).join('、'),
})

Page({
  data: {
    tabs: TABS,
    status: '',
    orders: [] as OrderRow[],
    page: 0,
    loading: false,
    finished: false,
    ...initialLoadState,
  },

  onLoad(query: Record<string, string | undefined>) {
    if (query.status) this.setData({ status: query.status })
  },

  onShow() {
    this.reload()
  },

  onPullDownRefresh() {
    this.reload().finally(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    this.loadMore()
  },

  reload(): Promise<void> {
    this.setData({ orders: [], page: 0, finished: false })
    return withLoadState(this, async () => {
      await this.fetchPage(1)
      return this.data.orders.length === 0
    })
  },

  onRetry() {
    this.reload()
  },

  async fetchPage(page: number): Promise<void> {
    const result = await call('orders', {
      query: { status: this.data.status || undefined, page, pageSize: PAGE_SIZE },
      silent: true,
    })
    this.setData({
      orders: this.data.orders.concat(result.items.map(rowOf)),
      page,
      finished: result.items.length < PAGE_SIZE,
    })
  },

  async loadMore(): Promise<void> {
    if (this.data.loading || this.data.finished || this.data.state !== 'ready') return
    this.setData({ loading: true })
    try {
      await this.fetchPage(this.data.page + 1)
    } catch {
      wx.showToast({ title: '加载失败，上拉重试', icon: 'none' })
    } finally {
      this.setData({ loading: false })
    }
  },

  onTab(e: WechatMiniprogram.TouchEvent) {
    this.setData({ status: String(e.currentTarget.dataset.status ?? '') })
    this.reload()
  },

  async onPay(e: WechatMiniprogram.TouchEvent) {
    const orderNo = String(e.currentTarget.dataset.orderno)
    try {
      const paid = await payForOrder(orderNo)
      if (paid) wx.navigateTo({ url: `/packages/order/detail/detail?orderNo=${orderNo}&paid=1` })
      else wx.showToast({ title: '支付未完成', icon: 'none' })
    } catch (err) {
      showError(err)
    }
    this.reload()
  },

  onOpen(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: `/packages/order/detail/detail?orderNo=${e.currentTarget.dataset.orderno}` })
  },

  onCancel(e: WechatMiniprogram.TouchEvent) {
    const orderNo = String(e.currentTarget.dataset.orderno)
    wx.showModal({
      title: '取消订单',
      content: '确定取消这笔订单吗？',
      success: async (r) => {
        if (!r.confirm) return
        try {
          await call('cancelOrder', { params: { orderNo } })
          wx.showToast({ title: '已取消', icon: 'success' })
          this.reload()
        } catch {
          // the toast has been shown
        }
      },
    })
  },

  onConfirm(e: WechatMiniprogram.TouchEvent) {
    const orderNo = String(e.currentTarget.dataset.orderno)
    wx.showModal({
      title: '确认收货',
      content: '确认已收到商品吗？',
      success: async (r) => {
        if (!r.confirm) return
        try {
          await call('confirmOrder', { params: { orderNo } })
          wx.showToast({ title: '已确认收货', icon: 'success' })
          this.reload()
        } catch {
          // the toast has been shown
        }
      },
    })
  },
})
