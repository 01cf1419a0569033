// Ask the member to accept subscribe messages and report the accepted templates to the server (each
// acceptance allows the brand one message with that template).
import { call } from './api'
import { SUBSCRIBE_TEMPLATE_IDS } from './config'

export function askSubscribe(templateIds: string[] = SUBSCRIBE_TEMPLATE_IDS): Promise<void> {
  if (templateIds.length === 0) return Promise.resolve()
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: templateIds,
      success: (res) => {
        const answers = res as unknown as Record<string, string>
        const accepted = templateIds.filter((id) => answers[id] === 'accept')
        if (accepted.length === 0) return resolve()
        call('subscribeConsents', { body: { accepted }, silent: true })
          .catch(() => undefined)
          .then(() => resolve())
      },
      fail: () => resolve(),
    })
  })
}
