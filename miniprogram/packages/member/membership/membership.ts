// Paid membership: the levels on sale with their annual fee (visitors may look), the member's own paid
// level and its end date; joining or renewing is a membership order paid like any other.
import { browse, call, currentToken } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { MemberCard, MembershipForSale } from '../../../utils/types'

type Row = MembershipForSale & { fee: string; holding: string; action: string }

Page({
  data: {
    levels: [] as Row[],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const [levels, card] = await Promise.all([
        browse('memberships', { silent: true }),
        currentToken() ? call('card', { silent: true }) : Promise.resolve(null as MemberCard | null),
      ])
      const held = new Map((card?.levels ?? []).map((l) => [`${l.ladder}:${l.level}`, l.endsAt]))
      this.setData({
        levels: levels.map((l) => {
          const key = `${l.ladder}:${l.level}`
          return {
            ...l,
            fee: yuan(l.annualFeeFen),
            holding: held.has(key) ? `当前有效期至 ${shanghaiTime(held.get(key) ?? null) || '长期'}` : '',
            action: held.has(key) ? '续费' : '开通',
          }
        }),
      })
      return levels.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  onBuy(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: `/pages/checkout/checkout?membershipLevelId=${e.currentTarget.dataset.id}` })
  },
})
