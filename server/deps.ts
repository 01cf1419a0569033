// What every route and middleware may use, passed in once so tests can substitute a clock or a logger.
import type { Config } from '../shared/config'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import type { Clock } from '../shared/clock'
import type { OperatorIdentity } from '../shared/auth/service'
import type { WxacodeClient } from '../shared/wechat/wxacode'

export interface AppDeps {
  db: Db
  config: Config
  logger: Logger
  clock: Clock
  /** The built operator console; console/dist by default. */
  consoleDir?: string
  /** Mini-program codes (wxacode.getUnlimited); absent when no mini-program is configured. */
  wxacode?: WxacodeClient
}

export interface AppState {
  requestId: string
  log: Logger
  operator?: OperatorIdentity
  memberId?: number
}
