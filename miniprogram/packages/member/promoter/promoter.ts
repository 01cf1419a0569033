// The promoter centre: my level, commission frozen and available (the server decides when a commission
// unfreezes and what can be withdrawn), withdrawals, my team (friends I brought) and my share code.
import { call, showError } from '../../../utils/api'
import { shanghaiTime, yuan } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { ResponseOf } from '../../../utils/api-types'

type Commission = ResponseOf<'commission'>
type Record_ = ResponseOf<'commissionRecords'>['items'][number]

const STATE_NAMES: Record<string, string> = {
  frozen: '冻结中',
  available: '可提现',
  reversed: '已退回',
  requested: '审核中',
  approved: '已通过',
  paid: '已到账',
  rejected: '已拒绝',
  cancelled: '已取消',
}

Page({
  data: {
    info: null as Commission | null,
    balance: { available: '', frozen: '', withdrawing: '', withdrawn: '' },
    minWithdrawal: '',
    records: [] as (Record_ & { amount: string; stateName: string; at: string })[],
    withdrawals: [] as { id: number; amount: string; stateName: string; at: string }[],
    team: 0,
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const info = await call('commission', { silent: true })
      this.setData({
        info,
        balance: {
          available: yuan(info.balance.availableFen),
          frozen: yuan(info.balance.frozenFen),
          withdrawing: yuan(info.balance.withdrawingFen),
          withdrawn: yuan(info.balance.withdrawnFen),
        },
        minWithdrawal: yuan(info.minWithdrawalFen),
      })
      if (!info.promoter) return
      const [records, withdrawals, mine] = await Promise.all([
        call('commissionRecords', { query: { limit: 20 }, silent: true }),
        call('commissionWithdrawals', { query: { limit: 20 }, silent: true }),
        call('referralMine', { query: { limit: 1 }, silent: true }),
      ])
      this.setData({
        records: records.items.map((r) => ({
          ...r,
          amount: yuan(r.amountFen),
          stateName: STATE_NAMES[r.state] ?? r.state,
          at: shanghaiTime(r.createdAt),
        })),
        withdrawals: withdrawals.items.map((w) => ({
          id: w.id,
          amount: yuan(w.amountFen),
          stateName: STATE_NAMES[w.state] ?? w.state,
          at: shanghaiTime(w.requestedAt),
        })),
        team: mine.counts.directCount + mine.counts.downlineCount,
      })
    })
  },

  onRetry() {
    this.load()
  },

  async onJoin() {
    try {
      await call('joinPromoters')
      wx.showToast({ title: '已成为推广员', icon: 'success' })
      this.load()
    } catch {
      // the toast has been shown
    }
  },

  onWithdraw() {
    const info = this.data.info
    if (!info) return
    wx.showModal({
      title: '申请提现',
      content: `提现全部可提现佣金 ${this.data.balance.available}？`,
      success: async (r) => {
        if (!r.confirm) return
        try {
          await call('requestWithdrawal', { body: { amountFen: info.balance.availableFen }, silent: true })
          wx.showToast({ title: '已提交，等待审核', icon: 'none' })
          this.load()
        } catch (e) {
          showError(e)
        }
      },
    })
  },

  onShare() {
    wx.navigateTo({ url: '/pages/share/share' })
  },
})
