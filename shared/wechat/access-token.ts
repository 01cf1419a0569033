// The access token, shared by every process through the database with a single refresher: the token
// lives in one row per appid; when it is missing, about to expire or reported stale, the process that
// wins the refresh lease (a conditional update) asks WeChat, and every other process waits for the row
// to change instead of asking too. Within a process, concurrent callers share one in-flight load.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Clock } from '../clock'
import type { Db } from '../db/client'
import { wechatAccessTokens } from '../db/schema/wechat'

export type StableTokenFetcher = (
  forceRefresh: boolean,
) => Promise<{ accessToken: string; expiresIn: number }>

export interface AccessTokenOptions {
  /** Refresh this long before WeChat's expiry. */
  marginMs?: number
  /** How long a refresher may hold the lease before another process may take over. */
  leaseMs?: number
  /** How often a waiting process re-reads the row. */
  pollMs?: number
  /** Give up waiting after this long. */
  waitMs?: number
}

export class SharedAccessToken {
  private memo: { token: string; expiresAt: number } | null = null
  private inflight: Promise<string> | null = null
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  private readonly opts: Required<AccessTokenOptions>

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly appid: string,
    private readonly fetcher: StableTokenFetcher,
    options: AccessTokenOptions = {},
  ) {
    this.opts = { marginMs: 300_000, leaseMs: 15_000, pollMs: 50, waitMs: 15_000, ...options }
  }

  /** A valid access token. */
  async get(): Promise<string> {
    if (this.memo && this.memo.expiresAt - this.opts.marginMs > this.clock.now().getTime())
      return this.memo.token
    this.inflight ??= this.load(null).finally(() => (this.inflight = null))
    return this.inflight
  }

  /** WeChat rejected `staleToken`: get a different one (force-refreshing once for all processes). */
  async invalidate(staleToken: string): Promise<string> {
    if (this.memo?.token === staleToken) this.memo = null
    return this.load(staleToken)
  }

  private usable(
    row: { accessToken: string | null; expiresAt: Date | null } | undefined,
    stale: string | null,
  ) {
    return (
      !!row?.accessToken &&
      !!row.expiresAt &&
      row.accessToken !== stale &&
      row.expiresAt.getTime() - this.opts.marginMs > this.clock.now().getTime()
    )
  }

  private async load(stale: string | null): Promise<string> {
    await this.db.insert(wechatAccessTokens).values({ appid: this.appid }).onConflictDoNothing()
    const started = Date.now()
    for (;;) {
      const [row] = await this.db
        .select()
        .from(wechatAccessTokens)
        .where(eq(wechatAccessTokens.appid, this.appid))
      if (this.usable(row, stale)) return this.remember(row!.accessToken!, row!.expiresAt!)
      const now = this.clock.now()
      const [lease] = await this.db
        .update(wechatAccessTokens)
        .set({
          refreshLeaseUntil: new Date(now.getTime() + this.opts.leaseMs),
          refreshedBy: this.owner,
          updatedAt: now,
        })
        .where(
          and(
            eq(wechatAccessTokens.appid, this.appid),
            or(isNull(wechatAccessTokens.refreshLeaseUntil), lt(wechatAccessTokens.refreshLeaseUntil, now)),
          ),
        )
        .returning()
      if (lease) {
        // Another process may have refreshed between our read and the lease: use its token.
        if (this.usable(lease, stale)) {
          await this.releaseLease()
          return this.remember(lease.accessToken!, lease.expiresAt!)
        }
        try {
          const fresh = await this.fetcher(stale !== null && lease.accessToken === stale)
          const expiresAt = new Date(this.clock.now().getTime() + fresh.expiresIn * 1000)
          await this.db
            .update(wechatAccessTokens)
            .set({
              accessToken: fresh.accessToken,
              expiresAt,
              refreshLeaseUntil: null,
              updatedAt: this.clock.now(),
            })
            .where(eq(wechatAccessTokens.appid, this.appid))
          return this.remember(fresh.accessToken, expiresAt)
        } catch (err) {
          await this.releaseLease()
          throw err
        }
      }
      if (Date.now() - started > this.opts.waitMs)
        throw new Error('timed out waiting for the access token refresh')
      await new Promise((resolve) => setTimeout(resolve, this.opts.pollMs))
    }
  }

  private async releaseLease(): Promise<void> {
    await this.db
      .update(wechatAccessTokens)
      .set({ refreshLeaseUntil: null })
      .where(and(eq(wechatAccessTokens.appid, this.appid), eq(wechatAccessTokens.refreshedBy, this.owner)))
  }

  private remember(token: string, expiresAt: Date): string {
    this.memo = { token, expiresAt: expiresAt.getTime() }
    return token
  }
}
