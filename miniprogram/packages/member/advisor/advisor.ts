// Talk to my advisor: a one-time bind code for the member to send to their advisor's WeChat, which
// binds the chat to the member (the bot reads the code); the server names the advisor and the steps.
import { call } from '../../../utils/api'
import { shanghaiTime } from '../../../utils/format'
import { initialLoadState, withLoadState } from '../../../utils/load-state'
import type { BindCode } from '../../../utils/types'

Page({
  data: {
    bind: null as BindCode | null,
    expiresAt: '',
    ...initialLoadState,
  },

  onLoad() {
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const bind = await call('advisorBindCode', { silent: true })
      this.setData({ bind, expiresAt: shanghaiTime(bind.expiresAt) })
    })
  },

  onRetry() {
    this.load()
  },

  onCopy() {
    if (this.data.bind) wx.setClipboardData({ data: `绑定码 ${this.data.bind.code}` })
  },
})
