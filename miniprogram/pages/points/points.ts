// Points: balance, what expires soon, the daily check-in, earning tasks and the history (paged by the
// server's `before` cursor). Amounts and streak bonuses all come from the server.
import { call } from '../../utils/api'
import { shanghaiTime } from '../../utils/format'
import type { MemberTask } from '../../utils/types'
import { initialLoadState, withLoadState } from '../../utils/load-state'

const KIND_NAMES: Record<string, string> = {
  earn: '获得',
  spend: '使用',
  expire: '过期',
  adjust: '调整',
  reverse: '撤销',
}
const PERIOD_NAMES: Record<string, string> = {
  once: '共',
  day: '每日',
  week: '每周',
  month: '每月',
  year: '每年',
}

interface EntryRow {
  id: number
  reason: string
  kindName: string
  amount: string
  positive: boolean
  at: string
}

interface TaskRow extends MemberTask {
  period: string
}

Page({
  data: {
    balance: 0,
    expiringPoints: 0,
    expiringAt: '',
    entries: [] as EntryRow[],
    nextBefore: null as number | null,
    loading: false,
    checkIn: null as TaskRow | null,
    tasks: [] as TaskRow[],
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  load(): Promise<void> {
    this.setData({ entries: [], nextBefore: null })
    return withLoadState(this, async () => {
      await Promise.all([this.loadHistory(true), this.loadTasks()])
    })
  },

  onRetry() {
    this.load()
  },

  onReachBottom() {
    if (this.data.nextBefore !== null)
      this.loadHistory(false).catch(() => wx.showToast({ title: '加载失败，上拉重试', icon: 'none' }))
  },

  async loadHistory(first: boolean) {
    if (this.data.loading) return
    this.setData({ loading: true })
    try {
      const h = await call('points', {
        silent: true,
        query: { before: first ? undefined : (this.data.nextBefore ?? undefined), limit: 20 },
      })
      const rows = h.entries.map((e) => ({
        id: e.id,
        reason: e.reason,
        kindName: KIND_NAMES[e.kind] ?? e.kind,
        amount: e.amount > 0 ? `+${e.amount}` : String(e.amount),
        positive: e.amount > 0,
        at: shanghaiTime(e.at),
      }))
      this.setData({
        balance: h.balance,
        expiringPoints: h.expiring.points,
        expiringAt: shanghaiTime(h.expiring.soonestAt),
        entries: first ? rows : this.data.entries.concat(rows),
        nextBefore: h.nextBefore,
      })
    } finally {
      this.setData({ loading: false })
    }
  },

  async loadTasks() {
    {
      const tasks = (await call('tasks', { silent: true })).map((t) => ({
        ...t,
        period: `${PERIOD_NAMES[t.limitPer] ?? ''}${t.limitTimes} 次`,
      }))
      this.setData({
        checkIn: tasks.find((t) => t.code === 'daily_check_in') ?? null,
        tasks: tasks.filter((t) => t.code !== 'daily_check_in'),
      })
    }
  },

  async onCheckIn() {
    try {
      const r = await call('checkIn')
      const bonus = r.bonus ? `，连续签到奖励 ${r.bonus}` : ''
      wx.showToast({ title: `签到成功 +${r.points}${bonus}`, icon: 'none' })
      this.load()
    } catch {
      // the toast has been shown (e.g. already checked in today)
    }
  },

  async onTask(e: WechatMiniprogram.TouchEvent) {
    const code = String(e.currentTarget.dataset.code)
    try {
      const r = await call('completeTask', { params: { code }, body: {} })
      wx.showToast({ title: `完成任务 +${r.points + r.bonus} 积分`, icon: 'none' })
      this.load()
    } catch {
      // the toast has been shown
    }
  },

  onRewards() {
    wx.navigateTo({ url: '/pages/rewards/rewards' })
  },
})
