// The store mini-program: log in on launch and claim the share code the member arrived with.
import { login } from './utils/api'
import { captureShareCode, claimShareCode } from './utils/referral'

type LaunchQuery = Record<string, string | undefined>

function onArrival(query: LaunchQuery | undefined): void {
  captureShareCode(query)
  login()
    .then(() => claimShareCode())
    .catch(() => {
      // A failed login or claim is retried on the next call or launch; pages show their own errors.
    })
}

App({
  onLaunch(options) {
    onArrival(options.query as LaunchQuery)
  },
  onShow(options) {
    // Opening a shared card while the mini-program is already running arrives here, not at onLaunch.
    if (options.query && (options.query.ref || options.query.scene))
      captureShareCode(options.query as LaunchQuery)
    claimShareCode().catch(() => undefined)
  },
})
