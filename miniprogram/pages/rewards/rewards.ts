// The redemption catalogue: the server says what each reward costs and why it cannot be redeemed now;
// redeeming is idempotent per request id (a double tap redeems once).
import { call, requestId } from '../../utils/api'
import { shanghaiTime } from '../../utils/format'
import type { RewardItem } from '../../utils/types'
import { initialLoadState, withLoadState } from '../../utils/load-state'

interface RedemptionRow {
  id: number
  name: string
  points: number
  voucherCode: string | null
  status: string
  at: string
}

const STATUS_NAMES: Record<string, string> = {
  issued: '已发放',
  fulfilled: '已完成',
  cancelled: '已取消',
}

Page({
  data: {
    balance: 0,
    items: [] as RewardItem[],
    redemptions: [] as RedemptionRow[],
    redeeming: 0,
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const [catalogue, mine] = await Promise.all([
        call('rewards', { silent: true }),
        call('redemptions', { silent: true }),
      ])
      this.setData({
        balance: catalogue.balance,
        items: catalogue.items,
        redemptions: mine.map((r) => ({
          id: r.redemption.id,
          name: r.reward.name,
          points: r.redemption.points,
          voucherCode: r.redemption.voucherCode,
          status: STATUS_NAMES[r.redemption.status] ?? r.redemption.status,
          at: shanghaiTime(r.redemption.createdAt),
        })),
      })
      return catalogue.items.length === 0 && mine.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  onRedeem(e: WechatMiniprogram.TouchEvent) {
    const item = this.data.items[Number(e.currentTarget.dataset.index)]
    if (!item || item.unavailable || this.data.redeeming) return
    const id = requestId()
    wx.showModal({
      title: '确认兑换',
      content: `使用 ${item.pointsCost} 积分兑换「${item.name}」？`,
      success: async (r) => {
        if (!r.confirm) return
        this.setData({ redeeming: item.id })
        try {
          const result = await call('redeemReward', {
            params: { id: item.id },
            body: { requestId: id },
          })
          wx.showModal({
            title: '兑换成功',
            content: result.voucherCode
              ? `券码 ${result.voucherCode}，剩余积分 ${result.balance}`
              : `剩余积分 ${result.balance}`,
            showCancel: false,
          })
          this.load()
        } catch {
          // the toast has been shown
        } finally {
          this.setData({ redeeming: 0 })
        }
      },
    })
  },
})
