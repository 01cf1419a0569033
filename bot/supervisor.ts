// The account-pool supervisor: one Wechaty per account, each with an error handler so a puppet failure
// never takes the process down, restarted with back-off when it fails, its state kept in the database.
import { eq, notInArray } from 'drizzle-orm'
import type { Wechaty, WechatyPlugin } from 'wechaty'
import { ScanStatus } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import { botAccounts, type BotAccount, type BotAccountState } from '../shared/chat/schema'
import type { Clock } from '../shared/clock'
import type { Config } from '../shared/config'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import { buildBot } from './puppets'

export interface BotDeps {
  db: Db
  logger: Logger
  config: Config
  clock: Clock
}

/** The plugins an account runs, built per account (HOUSE_STYLE: features are Wechaty plugins). */
export type PluginsFor = (account: BotAccount) => WechatyPlugin[]

export interface RunningAccount {
  account: BotAccount
  bot: Wechaty
  mocker?: mock.Mocker
}

const MAX_BACKOFF_MS = 5 * 60_000

export class Supervisor {
  readonly running = new Map<number, RunningAccount>()
  private readonly retryTimers = new Map<number, NodeJS.Timeout>()
  private readonly failures = new Map<number, number>()
  private stopping = false

  constructor(
    private readonly deps: BotDeps,
    private readonly pluginsFor: PluginsFor = () => [],
  ) {}

  /** Start every account that is not disabled or banned. */
  async start(): Promise<void> {
    const accounts = await this.deps.db
      .select()
      .from(botAccounts)
      .where(notInArray(botAccounts.state, ['disabled', 'banned']))
    await Promise.all(accounts.map((a) => this.startAccount(a)))
    this.deps.logger.info({ accounts: accounts.length }, 'bot supervisor started')
  }

  async startAccount(account: BotAccount): Promise<void> {
    const log = this.deps.logger.child({ accountId: account.id, account: account.name })
    let built
    try {
      built = buildBot(account, this.deps.config)
    } catch (err) {
      log.error({ err }, 'account cannot be started')
      await this.setState(account.id, 'logged_out', String((err as Error).message))
      return
    }
    const { bot, mocker } = built
    bot.on('error', (err) => {
      log.error({ err }, 'puppet error')
      void this.setState(account.id, null, String(err?.message ?? err)).catch(() => {})
    })
    bot.on('scan', (qrcode, status) => {
      if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
        void this.update(account.id, { state: 'needs_scan', loginQr: qrcode }).catch((err) =>
          log.error({ err }, 'state update failed'),
        )
      }
    })
    bot.on('login', (user) => {
      log.info({ user: user.name() }, 'account logged in')
      this.failures.delete(account.id)
      void this.update(account.id, {
        state: 'online',
        loginQr: null,
        lastLoginAt: this.deps.clock.now(),
        lastError: null,
      }).catch((err) => log.error({ err }, 'state update failed'))
    })
    bot.on('logout', () => {
      log.warn('account logged out')
      void this.update(account.id, { state: 'logged_out' }).catch((err) =>
        log.error({ err }, 'state update failed'),
      )
    })
    for (const plugin of this.pluginsFor(account)) bot.use(plugin)

    try {
      await bot.start()
    } catch (err) {
      log.error({ err }, 'account failed to start')
      await this.setState(account.id, 'logged_out', String((err as Error)?.message ?? err)).catch(() => {})
      await bot.stop().catch(() => {})
      this.scheduleRestart(account)
      return
    }
    this.running.set(account.id, { account, bot, mocker })
    if (mocker) {
      // Demo mode: the simulated WeChat logs in as the account straight away.
      mocker.login(mocker.createContact({ name: account.displayName }))
    }
  }

  private scheduleRestart(account: BotAccount): void {
    if (this.stopping) return
    const n = (this.failures.get(account.id) ?? 0) + 1
    this.failures.set(account.id, n)
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (n - 1))
    this.deps.logger.warn({ accountId: account.id, attempt: n, delayMs: delay }, 'account restart scheduled')
    const timer = setTimeout(() => {
      this.retryTimers.delete(account.id)
      void this.startAccount(account)
    }, delay)
    timer.unref()
    this.retryTimers.set(account.id, timer)
  }

  private async setState(accountId: number, state: BotAccountState | null, lastError: string): Promise<void> {
    await this.update(accountId, state ? { state, lastError } : { lastError })
  }

  private async update(accountId: number, values: Partial<typeof botAccounts.$inferInsert>): Promise<void> {
    await this.deps.db.update(botAccounts).set(values).where(eq(botAccounts.id, accountId))
  }

  async stop(): Promise<void> {
    this.stopping = true
    for (const timer of this.retryTimers.values()) clearTimeout(timer)
    this.retryTimers.clear()
    await Promise.allSettled([...this.running.values()].map((r) => r.bot.stop()))
    this.running.clear()
    this.deps.logger.info('bot supervisor stopped')
  }
}
