// The account-pool supervisor: one Wechaty per account this process holds a lease on (leases live in
// the database, so several bot processes share the pool and no account runs twice), each with an error
// handler so a puppet failure never takes the process down. An account that fails to start, whose
// puppet reports errors while neither logged in nor waiting for a scan, or keeps reporting errors, goes
// to state 'error' with a reason operators can read and is retried (as the database then has it) after
// 30 s, doubling up to 30 min; its state and login QR are kept in the database, and a paced sender loop
// runs while it is logged in.
import { and, eq, inArray, isNull, like, sql } from 'drizzle-orm'
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core'
import type { Wechaty, WechatyPlugin } from 'wechaty'
import { ScanStatus } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import {
  acquireLeases,
  getAccount,
  releaseLeases,
  renewLeases,
  restartDelayMs,
} from '../shared/chat/accounts'
import { banAccount } from '../shared/chat/assignment'
import { setContactQr } from '../shared/chat/live-codes'
import { isBanReason } from '../shared/chat/signals'
import { aliasFor } from '../shared/chat/contacts'
import { enqueueTierInvites } from '../shared/chat/groups'
import { botAccounts, chatGroupMembers, chatGroups, type BotAccount } from '../shared/db/schema/chat'
import type { Clock } from '../shared/clock'
import type { Config } from '../shared/config'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import { memberIdentities, members } from '../shared/db/schema/members'
import type { AccountContext } from './context'
import { accountFeatures, advisorNameOf } from './features'
import { buildBot, type BuiltBot, type SimulatedWeChatPuppet } from './puppets'
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
  /** How an account's Wechaty is made (tests give failing puppets). */
  buildBot?: (account: BotAccount, config: Config) => Promise<BuiltBot>
  /** Longest a puppet may take to start before it counts as failed (default 60 s). */
  startTimeoutMs?: number
  /** Puppet errors within a minute that count as a failure: stop, error state, back-off (default 10). */
  errorBurst?: number
}

export interface RunningAccount {
  account: BotAccount
  bot: Wechaty
  mocker?: mock.Mocker
  puppet?: SimulatedWeChatPuppet
  sender?: SenderLoop
  /** Releases what the bot needed besides itself (the demo's local puppet server). */
  close?: () => Promise<void>
  /** bot.start() has resolved. */
  started?: boolean
  /** The puppet showed a login QR and waits for it to be scanned. */
  awaitingScan?: boolean
  /** A puppet error reported while the bot was still starting. */
  startupError?: string
}

const ERROR_WINDOW_MS = 60_000
/** At most one last_error write per account in this interval, however chatty the puppet. */
const ERROR_WRITE_EVERY_MS = 5_000

const reasonOf = (err: unknown) => {
  const e = err as { message?: string; data?: unknown } | undefined
  return String(e?.message ?? (e?.data !== undefined ? e.data : err)).slice(0, 500)
}

export class Supervisor {
  readonly running = new Map<number, RunningAccount>()
  readonly owner: string
  private readonly retryTimers = new Map<number, NodeJS.Timeout>()
  private readonly failures = new Map<number, number>()
  private readonly errorTimes = new Map<number, number[]>()
  private readonly errorWrittenAt = new Map<number, number>()
  /** Puppet-error writes per account, in order, so a late one never overwrites the error state. */
  private readonly errorWrites = new Map<number, Promise<unknown>>()
  private readonly starting = new Set<number>()
  private timers: NodeJS.Timeout[] = []
  private stopping = false
  private readonly options: Required<
    Omit<SupervisorOptions, 'pluginsFor' | 'maxAccounts' | 'storeHosts' | 'exclusiveDatabase' | 'buildBot'>
  > &
    Pick<SupervisorOptions, 'pluginsFor' | 'maxAccounts' | 'storeHosts' | 'exclusiveDatabase' | 'buildBot'>

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
      startTimeoutMs: 60_000,
      errorBurst: 10,
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
    let built: BuiltBot
    try {
      built = await (this.options.buildBot ?? buildBot)(account, this.deps.config)
    } catch (err) {
      log.error({ err }, 'account cannot be started')
      await this.fail(account, reasonOf(err))
      return
    }
    const { bot, mocker, puppet, close } = built
    const entry: RunningAccount = { account, bot, mocker, puppet, close }
    const ctx: AccountContext = {
      db: this.deps.db,
      logger: log,
      clock: this.deps.clock,
      accountId: account.id,
      onQueued: () => entry.sender?.nudge(),
    }
    bot.on('error', (err) => this.onPuppetError(entry, err, log))
    bot.on('scan', (qrcode, status) => {
      entry.awaitingScan = true
      if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
        void this.update(account.id, { state: 'needs_scan', loginQr: qrcode }).catch((err) =>
          log.error({ err }, 'state update failed'),
        )
      }
    })
    bot.on('login', (user) => {
      log.info({ user: user.name() }, 'account logged in')
      entry.awaitingScan = false
      this.failures.delete(account.id)
      const now = this.deps.clock.now()
      void this.update(account.id, {
        state: 'online',
        loginQr: null,
        lastLoginAt: now,
        firstLoginAt: sql`coalesce(${botAccounts.firstLoginAt}, ${now.toISOString()}::timestamptz)`,
        lastError: null,
        failureCount: 0,
        retryAt: null,
      }).catch((err) => log.error({ err }, 'state update failed'))
      this.startSender(entry, log)
      void this.readContactQr(entry, log)
    })
    bot.on('logout', (_user, reason?: string) => {
      log.warn({ reason }, 'account logged out')
      entry.awaitingScan = false
      void entry.sender?.stop()
      entry.sender = undefined
      if (reason && isBanReason(reason)) {
        // WeChat ended the session because the account is banned or restricted: its members move.
        void banAccount(this.deps.db, account.id, this.deps.clock.now(), `微信下线：${reason}`.slice(0, 200))
          .then((moved) => log.error({ moved }, 'account banned by WeChat: members moved'))
          .catch((err) => log.error({ err }, 'ban not recorded'))
        return
      }
      void this.update(account.id, { state: 'logged_out', ...(reason ? { lastError: reason } : {}) }).catch(
        (err) => log.error({ err }, 'state update failed'),
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

    this.running.set(account.id, entry)
    try {
      await withTimeout(bot.start(), this.options.startTimeoutMs, 'puppet 启动超时')
    } catch (err) {
      log.error({ err }, 'account failed to start')
      if (this.running.get(account.id) !== entry) return
      this.running.delete(account.id)
      await stopBot(entry)
      await this.fail(account, reasonOf(err))
      return
    }
    entry.started = true
    // The start resolved but the puppet already reported an error and neither logged in nor showed a QR
    // (wechat4u that cannot reach its login host): it is not working, so it fails and is retried.
    if (entry.startupError && !this.active(entry)) {
      await this.failRunning(entry, entry.startupError, log)
      return
    }
    if (mocker) {
      // Demo mode: the simulated WeChat knows the account's friends, and logs in straight away.
      await this.loadDemoFriends(account.id, mocker).catch((err) =>
        log.warn({ err }, 'demo friends not loaded'),
      )
      mocker.login(mocker.createContact({ name: account.displayName }))
    }
  }

  /** The account's own "add me" QR, where the puppet offers one (an uploaded one is kept). */
  private async readContactQr(entry: RunningAccount, log: Logger) {
    try {
      const content = await entry.bot.currentUser.qrcode()
      if (content) {
        await setContactQr(this.deps.db, entry.account.id, {
          content,
          source: 'puppet',
          at: this.deps.clock.now(),
        })
      }
    } catch (err) {
      log.info({ err }, 'the puppet offers no contact QR: an operator can upload one')
    }
  }

  /** Logged in, or showing a login QR for an operator to scan: the puppet is doing its work. */
  private active(entry: RunningAccount): boolean {
    return entry.bot.isLoggedIn || entry.awaitingScan === true
  }

  /**
   * A puppet error is logged and kept (at most every few seconds) as the account's last error. The
   * account is stopped and retried with back-off when the puppet is not working (neither logged in nor
   * waiting for a scan: nobody could use it anyway) or when errors come in a burst while it is.
   */
  private onPuppetError(entry: RunningAccount, err: unknown, log: Logger) {
    const id = entry.account.id
    const now = Date.now()
    const times = (this.errorTimes.get(id) ?? []).filter((t) => t > now - ERROR_WINDOW_MS)
    times.push(now)
    this.errorTimes.set(id, times)
    const reason = reasonOf(err)
    if (this.running.get(id) !== entry) return
    if (!entry.started) {
      // Decided once the start settles: a start that rejects is a failure of its own.
      entry.startupError ??= reason
      if (times.length <= 3) log.error({ err }, 'puppet error while starting')
      return
    }
    if (!this.active(entry)) {
      log.error({ err }, 'puppet error while neither logged in nor waiting for a scan: retried with back-off')
      void this.failRunning(entry, `puppet 出错，未登录也未等待扫码：${reason}`, log)
      return
    }
    if (times.length >= this.options.errorBurst) {
      log.error({ err, errors: times.length }, 'puppet keeps failing: account stopped, retried with back-off')
      void this.failRunning(entry, `puppet 一分钟内报错 ${times.length} 次：${reason}`, log)
      return
    }
    if (times.length <= 3) log.error({ err }, 'puppet error')
    if (now - (this.errorWrittenAt.get(id) ?? 0) < ERROR_WRITE_EVERY_MS) return
    this.errorWrittenAt.set(id, now)
    this.errorWrites.set(
      id,
      (this.errorWrites.get(id) ?? Promise.resolve())
        .then(() => this.update(id, { lastError: reason }))
        .catch(() => {}),
    )
  }

  /** Stop a running account that failed, record the error and schedule its restart (once per entry). */
  private async failRunning(entry: RunningAccount, reason: string, log: Logger): Promise<void> {
    const id = entry.account.id
    if (this.running.get(id) !== entry) return
    this.running.delete(id)
    this.errorTimes.delete(id)
    try {
      await entry.sender?.stop()
      await stopBot(entry)
      await this.fail(entry.account, reason)
    } catch (err) {
      log.error({ err }, 'failing account not stopped')
    }
  }

  private startSender(entry: RunningAccount, log: Logger) {
    if (!this.options.sending || entry.sender || this.stopping) return
    const sender = new AccountSender(
      {
        db: this.deps.db,
        clock: this.deps.clock,
        logger: log,
        owner: this.owner,
        onQueued: () => entry.sender?.nudge(),
      },
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

  /** The account failed: state 'error' with the reason, and a restart after the back-off. */
  private async fail(account: BotAccount, reason: string): Promise<void> {
    if (this.stopping) return
    const n = (this.failures.get(account.id) ?? account.failureCount ?? 0) + 1
    this.failures.set(account.id, n)
    const delay = restartDelayMs(n, {
      minMs: this.deps.config.BOT_RETRY_MIN_SECONDS * 1000,
      maxMs: this.deps.config.BOT_RETRY_MAX_SECONDS * 1000,
    })
    const retryAt = new Date(this.deps.clock.now().getTime() + delay)
    await this.errorWrites.get(account.id)
    await this.update(account.id, { state: 'error', lastError: reason, failureCount: n, retryAt }).catch(
      (err) => this.deps.logger.error({ err, accountId: account.id }, 'state update failed'),
    )
    this.scheduleRestart(account, n, delay)
  }

  private scheduleRestart(account: BotAccount, n: number, delay: number): void {
    if (this.stopping) return
    this.deps.logger.warn({ accountId: account.id, attempt: n, delayMs: delay }, 'account restart scheduled')
    const timer = setTimeout(() => {
      this.retryTimers.delete(account.id)
      void this.restart(account.id)
    }, delay)
    timer.unref()
    this.retryTimers.set(account.id, timer)
  }

  /**
   * Start the account again as it is now in the database: an operator may have changed its puppet or
   * token (or disabled it) while it waited.
   */
  private async restart(accountId: number): Promise<void> {
    try {
      const account = await getAccount(this.deps.db, accountId)
      if (account.state === 'banned' || account.state === 'disabled' || account.leaseOwner !== this.owner) {
        this.deps.logger.info({ accountId, state: account.state }, 'account no longer ours to restart')
        return
      }
      await this.startAccount(account)
    } catch (err) {
      this.deps.logger.error({ err, accountId }, 'account restart failed')
    }
  }

  private async stopAccount(accountId: number): Promise<void> {
    const timer = this.retryTimers.get(accountId)
    if (timer) clearTimeout(timer)
    this.retryTimers.delete(accountId)
    const entry = this.running.get(accountId)
    this.running.delete(accountId)
    if (!entry) return
    await entry.sender?.stop()
    await stopBot(entry)
  }

  private async update(accountId: number, values: PgUpdateSetSource<typeof botAccounts>): Promise<void> {
    // Never overwrite an operator's decision (banned, disabled) with a puppet's state.
    await this.deps.db
      .update(botAccounts)
      .set(values)
      .where(
        and(
          eq(botAccounts.id, accountId),
          values.state
            ? inArray(botAccounts.state, ['needs_scan', 'online', 'limited', 'logged_out', 'error'])
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

/** Stop the bot, then what it needed (the demo's puppet server); neither may throw. */
async function stopBot(entry: RunningAccount): Promise<void> {
  await entry.bot.stop().catch(() => {})
  await entry.close?.().catch(() => {})
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
