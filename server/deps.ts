// What every route and middleware may use, passed in once so tests can substitute a clock or a logger.
import type { Config } from '../shared/config'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import type { Clock } from '../shared/clock'
import type { OperatorPrincipal } from '../shared/auth/service'
import type { MiniProgramApi } from '../shared/wechat/mini-program'
import type { ReadCaches } from './read-cache'

/** The mini-program client's code image call, which tests may give on its own. */
export type WxacodeClient = Pick<MiniProgramApi, 'getUnlimitedQrCode'>

export interface AppDeps {
  db: Db
  config: Config
  logger: Logger
  clock: Clock
  /** The built operator console; console/dist by default. */
  consoleDir?: string
  /** Mini-program codes (wxacode.getUnlimited); absent when no mini-program is configured. */
  wxacode?: WxacodeClient
  /** In-memory read caches invalidated by the database's change feed; absent = every read queries. */
  readCaches?: ReadCaches
  /** How long an official-account push may take before it is answered `success`; 4500 ms by default. */
  oaReplyBudgetMs?: number
}

export interface AppState {
  requestId: string
  log: Logger
  operator?: OperatorPrincipal
  memberId?: number
  /** The signed-in member's tier levels now (their member prices apply). */
  levelIds?: number[]
  /** An advisor on an account-scoped operation: the bot accounts they serve (absent: every account). */
  accountScope?: number[]
}
