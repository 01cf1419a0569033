// Flash sales on now and coming up (visitors may look); buying goes through checkout, where the server
// holds the sale's stock and the per-member limit.
import { browse } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { FlashSale } from '../../../utils/types'

const STATE_NAMES = { upcoming: '即将开始', selling: '抢购中', sold_out: '已抢光' }

type SaleRow = FlashSale & {
  price: string
  listPrice: string
  stateName: string
  starts: string
  ends: string
}

Page({
  data: {
    sales: [] as SaleRow[],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  onPullDownRefresh() {
    this.load().finally(() => wx.stopPullDownRefresh())
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const sales = await browse('flashSales', { silent: true })
      this.setData({
        sales: sales.map((s) => ({
          ...s,
          price: yuan(s.priceFen),
          listPrice: yuan(s.listPriceFen),
          stateName: STATE_NAMES[s.state],
          starts: shanghaiTime(s.startsAt),
          ends: shanghaiTime(s.endsAt),
        })),
      })
      return sales.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  onBuy(e: WechatMiniprogram.TouchEvent) {
    const sale = this.data.sales[Number(e.currentTarget.dataset.index)]
    if (!sale || sale.state !== 'selling') return
    const flashSale = JSON.stringify({ flashSaleId: sale.id, quantity: 1 })
    wx.navigateTo({ url: `/pages/checkout/checkout?flashSale=${encodeURIComponent(flashSale)}` })
  },
})
