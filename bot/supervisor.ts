// The account-pool supervisor: one Wechaty per account this process holds a lease on (leases live in
// the database, so several bot processes share the pool and no account runs twice), each with an error
// handler so a puppet failure never takes the process down, restarted with back-off when it fails,
// its state and login QR kept in the database, and a paced sender loop while it is logged in.
import { and, eq, inArray, isNull, like } from 'drizzle-orm'
import type { Wechaty, WechatyPlugin } from 'wechaty'
import { ScanStatus } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import { acquireLeases, releaseLeases, renewLeases } from '../shared/chat/accounts'
import { aliasFor } from '../shared/chat/contacts'
import { enqueueTierInvites } from '../shared/chat/groups'
import {
  botAccounts,
  chatGroupMembers,
  chatGroups,
  type BotAccount,
  type BotAccountState,
} from '../shared/db/schema/chat'
import type { Clock } from '../shared/clock'
import type { Config } from '../shared/config'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import { memberIdentities, members } from '../shared/db/schema/members'
import type { AccountContext } from './context'
import { accountFeatures, advisorNameOf } from './features'
import { buildBot, type SimulatedWeChatPuppet } from './puppets'
import { AccountSender } from './sender/account-sender'
import { SenderLoop } from './sender/loop'
import { wechatyTransport } from './sender/transport'

export interface BotDeps {
  db: Db
  logger: Logger
  config: Config
  clock: Clock
}

/** The plugins an account runs, built per account (HOUSE_STYLE: features are Wechaty plugins). */
export type PluginsFor = (account: BotAccount, ctx: AccountContext) => WechatyPlugin[]

export interface SupervisorOptions {
  /** This process, as written into leases and claims. */
  owner?: string
  pluginsFor?: PluginsFor
  /** Most accounts this process runs (the rest are left to other processes). */
  maxAccounts?: number
  leaseTtlMs?: number
  /** How often leases are renewed and free accounts picked up; 0 = only when tick() is called. */
  tickMs?: number
  /** Run the paced sender for each logged-in account (default true). */
  sending?: boolean
  senderPollMs?: number
  /** How often qualifying members are queued for their tier group (default 10 minutes; 0 = never). */
  invitesEveryMs?: number
  storeHosts?: string[]
  /**
   * The database is embedded and this process is its only user (PGlite): leases left by an earlier
   * process are stale, so they are cleared at start instead of waited out.
   */
  exclusiveDatabase?: boolean
}

export interface RunningAccount {
  account: BotAccount
  bot: Wechaty
  mocker?: mock.Mocker
  puppet?: SimulatedWeChatPuppet
  sender?: SenderLoop
}

const MAX_BACKOFF_MS = 5 * 60_000

export class Supervisor {
  readonly running = new Map<number, RunningAccount>()
  readonly owner: string
  private readonly retryTimers = new Map<number, NodeJS.Timeout>()
  private readonly failures = new Map<number, number>()
  private readonly starting = new Set<number>()
  private timers: NodeJS.Timeout[] = []
  private stopping = false
  private readonly options: Required<
    Omit<SupervisorOptions, 'pluginsFor' | 'maxAccounts' | 'storeHosts' | 'exclusiveDatabase'>
  > &
    Pick<SupervisorOptions, 'pluginsFor' | 'maxAccounts' | 'storeHosts' | 'exclusiveDatabase'>

  constructor(
    private readonly deps: BotDeps,
    options: SupervisorOptions = {},
  ) {
    this.owner = options.owner ?? deps.config.INSTANCE_ID ?? `bot-${process.pid}`
    this.options = {
      leaseTtlMs: 60_000,
      tickMs: 20_000,
      sending: true,
      senderPollMs: 15_000,
      invitesEveryMs: 10 * 60_000,
      ...options,
      owner: this.owner,
    }
  }

  /** Take leases on free accounts and start them; keep doing so (and renewing) every tickMs. */
  async start(): Promise<void> {
    if (this.options.exclusiveDatabase) {
      await this.deps.db.update(botAccounts).set({ leaseOwner: null, leaseExpiresAt: null })
    }
    await this.tick()
    if (this.options.tickMs > 0) {
      const t = setInterval(
        () => void this.tick().catch((err) => this.deps.logger.error({ err }, 'lease tick failed')),
        this.options.tickMs,
      )
      t.unref()
      this.timers.push(t)
    }
    if (this.options.invitesEveryMs > 0) {
      const t = setInterval(() => void this.queueInvites(), this.options.invitesEveryMs)
      t.unref()
      this.timers.push(t)
    }
    this.deps.logger.info({ owner: this.owner, accounts: this.running.size }, 'bot supervisor started')
  }

  /**
   * Renew the leases held, stop the accounts whose lease was lost, take free or expired ones (up to
   * maxAccounts) and start them.
   */
  async tick(): Promise<void> {
    if (this.stopping) return
    const { db, clock } = this.deps
    const held = [...new Set([...this.running.keys(), ...this.starting, ...this.retryTimers.keys()])]
    const kept = new Set(
      await renewLeases(db, {
        owner: this.owner,
        ids: held,
        now: clock.now(),
        ttlMs: this.options.leaseTtlMs,
      }),
    )
    for (const id of held) {
      if (!kept.has(id)) {
        this.deps.logger.warn({ accountId: id }, 'lease lost: account stopped here')
        await this.stopAccount(id)
      }
    }
    const room = (this.options.maxAccounts ?? Infinity) - kept.size
    if (room <= 0) return
    const leased = await acquireLeases(db, {
      owner: this.owner,
      now: clock.now(),
      ttlMs: this.options.leaseTtlMs,
      max: Number.isFinite(room) ? room + kept.size : undefined,
    })
    const fresh = leased.filter((a) => !kept.has(a.id) && !this.running.has(a.id) && !this.starting.has(a.id))
    await Promise.all(fresh.map((a) => this.startAccount(a)))
  }

  async startAccount(account: BotAccount): Promise<void> {
    if (this.stopping || this.running.has(account.id) || this.starting.has(account.id)) return
    this.starting.add(account.id)
    try {
      await this.launch(account)
    } finally {
      this.starting.delete(account.id)
    }
  }

  private async launch(account: BotAccount): Promise<void> {
    const log = this.deps.logger.child({ accountId: account.id, account: account.name })
    let built
    try {
      built = buildBot(account, this.deps.config)
    } catch (err) {
      log.error({ err }, 'account cannot be started')
      await this.setState(account.id, 'logged_out', String((err as Error).message)).catch(() => {})
      return
    }
    const { bot, mocker, puppet } = built
    const entry: RunningAccount = { account, bot, mocker, puppet }
    const ctx: AccountContext = {
      db: this.deps.db,
      logger: log,
      clock: this.deps.clock,
      accountId: account.id,
    }
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
      this.startSender(entry, log)
    })
    bot.on('logout', () => {
      log.warn('account logged out')
      void entry.sender?.stop()
      entry.sender = undefined
      void this.update(account.id, { state: 'logged_out' }).catch((err) =>
        log.error({ err }, 'state update failed'),
      )
    })
    const plugins = this.options.pluginsFor
      ? this.options.pluginsFor(account, ctx)
      : accountFeatures(ctx, {
          advisorName: advisorNameOf(account.displayName),
          storeHosts: this.options.storeHosts,
          miniProgramAppIds: this.deps.config.WECHAT_MP_APPID ? [this.deps.config.WECHAT_MP_APPID] : [],
        })
    for (const plugin of plugins) bot.use(plugin)

    try {
      await bot.start()
    } catch (err) {
      log.error({ err }, 'account failed to start')
      await this.setState(account.id, 'logged_out', String((err as Error)?.message ?? err)).catch(() => {})
      await bot.stop().catch(() => {})
      this.scheduleRestart(account)
      return
    }
    this.running.set(account.id, entry)
    if (mocker) {
      // Demo mode: the simulated WeChat knows the account's friends, and logs in straight away.
      await this.loadDemoFriends(account.id, mocker).catch((err) =>
        log.warn({ err }, 'demo friends not loaded'),
      )
      mocker.login(mocker.createContact({ name: account.displayName }))
    }
  }

  private startSender(entry: RunningAccount, log: Logger) {
    if (!this.options.sending || entry.sender || this.stopping) return
    const sender = new AccountSender(
      { db: this.deps.db, clock: this.deps.clock, logger: log, owner: this.owner },
      entry.account.id,
      wechatyTransport(entry.bot),
    )
    entry.sender = new SenderLoop(sender, {
      clock: this.deps.clock,
      logger: log,
      pollMs: this.options.senderPollMs,
    })
    entry.sender.start()
  }

  /** The members bound to a mock account become its contacts, with the remark we would have written. */
  private async loadDemoFriends(accountId: number, mocker: mock.Mocker) {
    const rows = await this.deps.db
      .select({ value: memberIdentities.value, member: members })
      .from(memberIdentities)
      .innerJoin(members, eq(members.id, memberIdentities.memberId))
      .where(
        and(
          eq(memberIdentities.kind, 'chat_contact'),
          like(memberIdentities.value, `${accountId}:%`),
          isNull(members.mergedIntoId),
        ),
      )
      .limit(5000)
    const known = new Set<string>()
    for (const r of rows) {
      const contactId = r.value.slice(String(accountId).length + 1)
      if (known.has(contactId)) continue
      known.add(contactId)
      mocker.createContact({
        id: contactId,
        name: r.member.nickname ?? r.member.name ?? contactId,
        alias: aliasFor(r.member),
        friend: true,
      })
    }
    // And its groups, with the members they have.
    for (const g of await this.deps.db.select().from(chatGroups).where(eq(chatGroups.accountId, accountId))) {
      const present = await this.deps.db
        .select({ contactId: chatGroupMembers.contactId })
        .from(chatGroupMembers)
        .where(and(eq(chatGroupMembers.chatGroupId, g.id), isNull(chatGroupMembers.leftAt)))
      mocker.createRoom({
        id: g.roomId,
        topic: g.topic,
        memberIdList: present.map((p) => p.contactId).filter((id) => known.has(id)),
      })
    }
  }

  private async queueInvites() {
    for (const id of this.running.keys()) {
      try {
        const n = await enqueueTierInvites(this.deps.db, id, this.deps.clock.now())
        if (n) this.deps.logger.info({ accountId: id, invites: n }, 'tier group invitations queued')
      } catch (err) {
        this.deps.logger.error({ err, accountId: id }, 'tier invitations failed')
      }
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

  private async stopAccount(accountId: number): Promise<void> {
    const timer = this.retryTimers.get(accountId)
    if (timer) clearTimeout(timer)
    this.retryTimers.delete(accountId)
    const entry = this.running.get(accountId)
    this.running.delete(accountId)
    if (!entry) return
    await entry.sender?.stop()
    await entry.bot.stop().catch(() => {})
  }

  private async setState(accountId: number, state: BotAccountState | null, lastError: string): Promise<void> {
    await this.update(accountId, state ? { state, lastError } : { lastError })
  }

  private async update(accountId: number, values: Partial<typeof botAccounts.$inferInsert>): Promise<void> {
    // Never overwrite an operator's decision (banned, disabled) with a puppet's state.
    await this.deps.db
      .update(botAccounts)
      .set(values)
      .where(
        and(
          eq(botAccounts.id, accountId),
          values.state
            ? inArray(botAccounts.state, ['needs_scan', 'online', 'limited', 'logged_out'])
            : undefined,
        ),
      )
  }

  async stop(): Promise<void> {
    this.stopping = true
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    for (const timer of this.retryTimers.values()) clearTimeout(timer)
    this.retryTimers.clear()
    const ids = [...this.running.keys()]
    await Promise.allSettled(ids.map((id) => this.stopAccount(id)))
    await releaseLeases(this.deps.db, this.owner).catch((err) =>
      this.deps.logger.error({ err }, 'leases not released'),
    )
    this.deps.logger.info('bot supervisor stopped')
  }
}
