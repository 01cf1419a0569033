// Group buys on now (visitors may look): open a new group or join one that is filling; the server
// holds the seats and decides when a group has succeeded.
import { browse } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { GroupBuy, JoinableGroup } from '../../../utils/types'

type CampaignRow = GroupBuy & {
  price: string
  listPrice: string
  ends: string
  groups: (JoinableGroup & { expires: string })[]
}

Page({
  data: {
    campaigns: [] as CampaignRow[],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const campaigns = await browse('groupBuys', { silent: true })
      const groups = await Promise.all(
        campaigns.map((c) => browse('joinableGroups', { params: { id: c.id }, silent: true })),
      )
      this.setData({
        campaigns: campaigns.map((c, i) => ({
          ...c,
          price: yuan(c.groupPriceFen),
          listPrice: yuan(c.listPriceFen),
          ends: shanghaiTime(c.endsAt),
          groups: (groups[i] ?? []).map((g) => ({ ...g, expires: shanghaiTime(g.expiresAt) })),
        })),
      })
      return campaigns.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  buy(groupBuyId: number, groupId?: number) {
    const groupBuy = JSON.stringify(groupId ? { groupBuyId, groupId } : { groupBuyId })
    wx.navigateTo({ url: `/pages/checkout/checkout?groupBuy=${encodeURIComponent(groupBuy)}` })
  },

  onOpen(e: WechatMiniprogram.TouchEvent) {
    this.buy(Number(e.currentTarget.dataset.id))
  },

  onJoin(e: WechatMiniprogram.TouchEvent) {
    this.buy(Number(e.currentTarget.dataset.id), Number(e.currentTarget.dataset.group))
  },

  onGroup(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: `/packages/promo/group/group?code=${e.currentTarget.dataset.code}` })
  },
})
