// The member card: levels, benefits, points and the member code shown at the till. The code is signed
// by the server and expires; the page shows the server's QR image and refreshes it before it expires.
import { call } from '../../utils/api'
import { shanghaiTime } from '../../utils/format'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import type { MemberCard } from '../../utils/types'

const REFRESH_MARGIN_MS = 30_000

let refreshTimer: number | null = null

Page({
  data: {
    card: null as MemberCard | null,
    levels: [] as (MemberCard['levels'][number] & { until: string })[],
    displayName: '',
    expiresAt: '',
    expiringAt: '',
    links: [
      { url: '/pages/points/points', name: '积分明细与签到' },
      { url: '/pages/rewards/rewards', name: '积分商城' },
      { url: '/pages/share/share', name: '邀请好友' },
      { url: '/pages/survey/survey', name: '购物评价' },
      { url: '/packages/member/membership/membership', name: '开通/续费付费会员' },
      { url: '/packages/member/advisor/advisor', name: '联系我的专属顾问' },
      { url: '/packages/member/profile/profile', name: '我的资料与手机号' },
      { url: '/packages/member/coupons/coupons', name: '我的优惠券' },
      { url: '/packages/member/promoter/promoter', name: '推广中心' },
    ],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  onHide() {
    this.stopTimer()
  },

  onUnload() {
    this.stopTimer()
  },

  onPullDownRefresh() {
    this.load().finally(() => wx.stopPullDownRefresh())
  },

  stopTimer() {
    if (refreshTimer !== null) clearTimeout(refreshTimer)
    refreshTimer = null
  },

  load(): Promise<void> {
    this.stopTimer()
    return withLoadState(this, async () => {
      const card = await call('card', { silent: true })
      this.setData({
        card,
        levels: card.levels.map((l) => ({ ...l, until: shanghaiTime(l.endsAt) })),
        displayName: card.member.nickname ?? card.member.name ?? '会员',
        expiresAt: shanghaiTime(card.tillCode.expiresAt),
        expiringAt: shanghaiTime(card.points.expiringSoonestAt),
      })
      const wait = new Date(card.tillCode.expiresAt).getTime() - Date.now() - REFRESH_MARGIN_MS
      refreshTimer = setTimeout(() => this.load(), Math.max(wait, 10_000)) as unknown as number
    })
  },

  onRetry() {
    this.load()
  },

  onRefreshCode() {
    this.load()
  },

  onLink(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: String(e.currentTarget.dataset.url) })
  },
})
