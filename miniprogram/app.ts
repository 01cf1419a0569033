// The store mini-program. Visitors browse without logging in; a member action logs in silently
// (utils/api.ts). A share code the member arrived with is claimed once they are logged in.
import { watchPrivacyAuthorization } from './utils/privacy'
import { captureShareCode, claimShareCode } from './utils/referral'

type LaunchQuery = Record<string, string | undefined>

function onArrival(query: LaunchQuery | undefined): void {
  // Only a share code to claim logs in here (to attribute the visit); otherwise nothing is asked.
  captureShareCode(query)
  claimShareCode().catch(() => undefined)
}

App({
  onLaunch(options) {
    watchPrivacyAuthorization()
    onArrival(options.query as LaunchQuery)
  },
  onShow(options) {
    // Opening a shared card while the mini-program is already running arrives here, not at onLaunch.
    if (options.query && (options.query.ref || options.query.scene)) onArrival(options.query as LaunchQuery)
  },
})
