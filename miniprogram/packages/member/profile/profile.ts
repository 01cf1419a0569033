// My profile and phone number. The phone is asked for only here, with WeChat's getPhoneNumber button,
// after the privacy authorization WeChat requires (app.ts answers wx.onNeedPrivacyAuthorization).
import { call, showError } from '../../../utils/api'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import { answerPrivacy, onPrivacyNeeded } from '../../../utils/privacy'
import type { MemberProfile } from '../../../utils/types'

Page({
  data: {
    me: null as MemberProfile | null,
    phone: '',
    privacyShown: false,
    ...initialLoadState,
  },

  unwatchPrivacy: null as (() => void) | null,

  onLoad() {
    this.unwatchPrivacy = onPrivacyNeeded(() => this.setData({ privacyShown: true }))
    this.load()
  },

  onUnload() {
    this.unwatchPrivacy?.()
  },

  onAgreePrivacy() {
    answerPrivacy(true, 'agree-privacy')
    this.setData({ privacyShown: false })
  },

  onDisagreePrivacy() {
    answerPrivacy(false)
    this.setData({ privacyShown: false })
  },

  onOpenPrivacy() {
    wx.openPrivacyContract({})
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      this.setData({ me: await call('me', { silent: true }) })
    })
  },

  onRetry() {
    this.load()
  },

  async onPhone(e: WechatMiniprogram.CustomEvent<{ code?: string; errMsg?: string }>) {
    const code = e.detail.code
    if (!code) {
      wx.showToast({ title: '未授权手机号', icon: 'none' })
      return
    }
    try {
      const r = await call('bindPhone', { body: { code }, silent: true })
      this.setData({ phone: r.phone })
      wx.showToast({ title: '手机号已绑定', icon: 'success' })
    } catch (err) {
      showError(err)
    }
  },
})
