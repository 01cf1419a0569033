// What every feature of one account needs: the database, a logger, the clock and which account it is.
import type { Clock } from '../shared/clock'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'

export interface AccountContext {
  db: Db
  logger: Logger
  clock: Clock
  accountId: number
  /** Something was queued in this account's outbox (a reply): the sender looks again now. */
  onQueued?: (at: Date) => void
}

/** Run a handler so nothing it throws reaches Wechaty's event loop: failures are logged. */
export function guarded<A extends unknown[]>(
  ctx: AccountContext,
  what: string,
  handler: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args)
    } catch (err) {
      ctx.logger.error({ err, accountId: ctx.accountId, feature: what }, 'chat handler failed')
    }
  }
}
