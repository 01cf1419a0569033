// The one-question survey after a purchase: how likely (0–10) the member would recommend us.
import { call } from '../../utils/api'
import { initialLoadState, withLoadState } from '../../utils/load-state'

Page({
  data: {
    question: '',
    orderId: 0,
    orderNo: '',
    scores: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    score: -1,
    comment: '',
    ...initialLoadState,
    done: false,
    submitting: false,
  },

  onLoad() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const pending = await call('pendingSurvey', { silent: true })
      this.setData({
        question: pending.question,
        orderId: pending.survey?.orderId ?? 0,
        orderNo: pending.survey?.orderNo ?? '',
      })
    })
  },

  onRetry() {
    this.load()
  },

  onScore(e: WechatMiniprogram.TouchEvent) {
    this.setData({ score: Number(e.currentTarget.dataset.score) })
  },

  onCommentInput(e: WechatMiniprogram.Input) {
    this.setData({ comment: e.detail.value })
  },

  async onSubmit() {
    if (this.data.score < 0) {
      wx.showToast({ title: '请先选择分数', icon: 'none' })
      return
    }
    this.setData({ submitting: true })
    try {
      await call('answerSurvey', {
        body: {
          orderId: this.data.orderId || undefined,
          score: this.data.score,
          comment: this.data.comment.trim() || undefined,
        },
      })
      this.setData({ done: true })
      wx.showToast({ title: '感谢你的评价', icon: 'success' })
    } catch {
      // the toast has been shown
    } finally {
      this.setData({ submitting: false })
    }
  },

  onBack() {
    wx.switchTab({ url: '/pages/index/index' })
  },
})
