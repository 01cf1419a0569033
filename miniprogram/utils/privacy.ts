// WeChat's privacy authorization (app.json __usePrivacyCheck__): before a privacy API such as
// getPhoneNumber runs, WeChat asks us to show our privacy notice; the page showing it resolves the
// request from its agree button (open-type="agreePrivacyAuthorization").
type Resolve = (result: { event: 'agree' | 'disagree'; buttonId?: string }) => void

let pending: Resolve | null = null
let listener: (() => void) | null = null

/** Called once from app.ts. */
export function watchPrivacyAuthorization(): void {
  if (!wx.onNeedPrivacyAuthorization) return
  // The typings call the argument a result; it is the resolve function WeChat documents.
  wx.onNeedPrivacyAuthorization((resolve) => {
    pending = resolve as unknown as Resolve
    if (listener) listener()
    else (resolve as unknown as Resolve)({ event: 'disagree' })
  })
}

/** The page that can show the notice; returns the unsubscribe. */
export function onPrivacyNeeded(show: () => void): () => void {
  listener = show
  return () => {
    if (listener === show) listener = null
  }
}

export function answerPrivacy(agreed: boolean, buttonId?: string): void {
  pending?.(agreed ? { event: 'agree', buttonId } : { event: 'disagree' })
  pending = null
}
