// One group of a group buy, as shared to friends: who has joined, seats left, and a way in. Visitors may
// look; joining goes through checkout.
import { browse } from '../../../utils/api'
import { shanghaiTime } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import { sharePath } from '../../../utils/share'
import type { GroupView } from '../../../utils/types'

const STATUS_NAMES = { opening: '待成团', forming: '拼团中', succeeded: '拼团成功', failed: '拼团未成功' }

Page({
  data: {
    code: '',
    group: null as GroupView | null,
    statusName: '',
    expires: '',
    ...initialLoadState,
  },

  onLoad(query: Record<string, string | undefined>) {
    this.setData({ code: query.code ?? '' })
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const group = await browse('group', { params: { code: this.data.code }, silent: true })
      this.setData({ group, statusName: STATUS_NAMES[group.status], expires: shanghaiTime(group.expiresAt) })
    })
  },

  onRetry() {
    this.load()
  },

  onJoin() {
    const g = this.data.group
    if (!g) return
    const groupBuy = JSON.stringify({ groupBuyId: g.groupBuyId, groupId: g.id })
    wx.navigateTo({ url: `/pages/checkout/checkout?groupBuy=${encodeURIComponent(groupBuy)}` })
  },

  onShareAppMessage() {
    return {
      title: '就差你了，一起拼团更优惠',
      path: sharePath(`/packages/promo/group/group?code=${this.data.code}`),
    }
  },
})
