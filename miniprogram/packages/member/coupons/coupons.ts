// My coupons by status; what each is worth and when it applies is the server's text.
import { call } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { MemberCoupon } from '../../../utils/types'

const TABS = [
  { status: 'available', name: '可使用' },
  { status: 'used', name: '已使用' },
  { status: 'expired', name: '已过期' },
] as const

type CouponRow = MemberCoupon & { value: string; threshold: string; until: string }

Page({
  data: {
    tabs: TABS,
    status: 'available' as (typeof TABS)[number]['status'],
    coupons: [] as CouponRow[],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const coupons = await call('coupons', { query: { status: this.data.status }, silent: true })
      this.setData({
        coupons: coupons.map((c) => ({
          ...c,
          value:
            c.amountFen !== null
              ? yuan(c.amountFen)
              : c.percentOff !== null
                ? `${(100 - c.percentOff) / 10} 折`
                : '',
          threshold: c.thresholdFen ? `满 ${yuan(c.thresholdFen)} 可用` : '无门槛',
          until: shanghaiTime(c.validUntil),
        })),
      })
      return coupons.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  onTab(e: WechatMiniprogram.TouchEvent) {
    this.setData({ status: e.currentTarget.dataset.status })
    this.load()
  },
})
