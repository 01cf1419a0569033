// My share code: friends who open what I share (the code travels in the page path as ?ref=) are
// attributed to me by the server; the page also lists the friends I brought.
import { call } from '../../utils/api'
import { shanghaiTime } from '../../utils/format'
import { loadMyShareCode } from '../../utils/share'
import type { ShareTarget } from '../../utils/types'
import { initialLoadState, withLoadState } from '../../utils/load-state'

interface Friend {
  displayName: string
  avatarUrl: string | null
  joinedAt: string
}

Page({
  data: {
    target: null as ShareTarget | null,
    friends: [] as Friend[],
    total: 0,
    ...initialLoadState,
  },

  onLoad() {
    wx.showShareMenu({ withShareTicket: false, menus: ['shareAppMessage', 'shareTimeline'] })
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const [target, mine] = await Promise.all([
        loadMyShareCode(true),
        call('referralMine', { query: { limit: 50 }, silent: true }),
      ])
      this.setData({
        target,
        friends: mine.friends.map((f) => ({ ...f, joinedAt: shanghaiTime(f.joinedAt) })),
        total: mine.counts.directCount,
      })
    })
  },

  onRetry() {
    this.load()
  },

  onCopy() {
    if (this.data.target) wx.setClipboardData({ data: this.data.target.code })
  },

  onShareAppMessage() {
    const target = this.data.target
    return {
      title: '我在这里买到了好东西，送你一份新人礼',
      path: target ? `/${target.path}` : '/pages/index/index',
    }
  },

  onShareTimeline() {
    return { title: '会员商城，好物会员价', query: this.data.target ? `ref=${this.data.target.code}` : '' }
  },
})
