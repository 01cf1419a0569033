// Login throttling per user name and per IP, counted in PostgreSQL (rate-limiter-flexible's drizzle
// store) so every server process sees the same failures. A lockout ends by itself when its window does.
import { RateLimiterDrizzle } from 'rate-limiter-flexible'
import type { Db } from '../db/client'
import { RetryLaterError } from '../errors'
import { loginThrottles } from '../db/schema/auth'

export interface LoginThrottleOptions {
  /** Wrong passwords for one user name within the window before it is locked. */
  perUser: number
  /** Wrong passwords from one IP (any user names) within the window before it is locked. */
  perIp: number
  windowSeconds: number
}

export const defaultLoginThrottle: LoginThrottleOptions = { perUser: 5, perIp: 30, windowSeconds: 15 * 60 }

export class LoginThrottle {
  private readonly users: RateLimiterDrizzle
  private readonly ips: RateLimiterDrizzle

  constructor(
    db: Db,
    readonly options: LoginThrottleOptions = defaultLoginThrottle,
  ) {
    const common = {
      storeClient: db,
      schema: loginThrottles,
      duration: options.windowSeconds,
      clearExpiredByTimeout: false,
    }
    this.users = new RateLimiterDrizzle({ ...common, keyPrefix: 'login_user', points: options.perUser })
    this.ips = new RateLimiterDrizzle({ ...common, keyPrefix: 'login_ip', points: options.perIp })
  }

  /** Refuses with a 429 while the user name or the IP is locked. */
  async check(username: string, ip: string): Promise<void> {
    const [user, address] = await Promise.all([this.users.get(username.toLowerCase()), this.ips.get(ip)])
    const locked = [
      [user, this.options.perUser],
      [address, this.options.perIp],
    ].filter(([res, limit]) => res && (res as { consumedPoints: number }).consumedPoints >= (limit as number))
    if (!locked.length) return
    const ms = Math.max(...locked.map(([res]) => (res as { msBeforeNext: number }).msBeforeNext))
    const minutes = Math.max(1, Math.ceil(ms / 60_000))
    throw new RetryLaterError(
      'login_locked',
      `登录失败次数过多，请 ${minutes} 分钟后再试`,
      Math.ceil(ms / 1000),
    )
  }

  async failed(username: string, ip: string): Promise<void> {
    await Promise.all([this.users.penalty(username.toLowerCase(), 1), this.ips.penalty(ip, 1)])
  }

  /** A successful login clears the user name's count (the IP's stays, against spraying). */
  async succeeded(username: string): Promise<void> {
    await this.users.delete(username.toLowerCase())
  }
}
