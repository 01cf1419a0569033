// One mini-program client and one WeChat Pay client per configuration, shared by every request and
// job of a process (so the process keeps one in-memory access token and one set of loaded keys).
import type { Clock } from '../clock'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { wechatPayFromConfig, type WechatPayClient } from '../payments/wechatpay-client'
import { miniProgramFromConfig, type MiniProgramApi } from './mini-program'

export interface WechatClients {
  /** null when no mini-program appid is configured (demo mode). */
  mp: MiniProgramApi | null
  /** null when no WeChat Pay merchant is configured. */
  pay: WechatPayClient | null
}

const cache = new WeakMap<Config, WechatClients>()

export function wechatClients(deps: { db: Db; config: Config; clock: Clock }): WechatClients {
  let clients = cache.get(deps.config)
  if (!clients) {
    clients = {
      mp: miniProgramFromConfig(deps.config, deps.db, deps.clock),
      pay: wechatPayFromConfig(deps.config, deps.clock),
    }
    cache.set(deps.config, clients)
  }
  return clients
}
