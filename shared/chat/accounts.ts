// The account registry: each personal account, its puppet and secret, its state and health, and the
// lease that says which bot process runs it. Leases live in the database so that several bot
// processes share the pool and no account ever runs in two places.
import { and, asc, eq, inArray, isNull, notInArray, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { conflict, notFound } from '../errors'
import {
  accountEnv,
  accountPacingState,
  accountPolicy,
  actionKinds,
  dailyCapOf,
  latestPause,
  shanghaiHour,
  usedToday,
  type ActionKind,
  type PacingPolicy,
  type PacingState,
} from './pacing'
import { botAccounts, type BotAccount } from '../db/schema/chat'
import { decryptSecret, encryptSecret } from './secrets'

const NOT_RUNNABLE = ['disabled', 'banned'] as const

/**
 * Take (or keep) leases on runnable accounts for `owner` until `now + ttlMs`: the accounts it already
 * holds, plus free or expired ones up to `max` in all. Rows are locked with SKIP LOCKED, so two
 * processes asking at once never get the same account.
 */
export async function acquireLeases(
  db: Db,
  input: { owner: string; now: Date; ttlMs: number; max?: number },
): Promise<BotAccount[]> {
  const now = input.now.toISOString()
  const until = new Date(input.now.getTime() + input.ttlMs)
  const limit = input.max ?? 1000
  return db.transaction(async (tx) => {
    const candidates = await tx
      .select({ id: botAccounts.id, owner: botAccounts.leaseOwner })
      .from(botAccounts)
      .where(
        and(
          notInArray(botAccounts.state, [...NOT_RUNNABLE]),
          or(
            isNull(botAccounts.leaseOwner),
            eq(botAccounts.leaseOwner, input.owner),
            sql`${botAccounts.leaseExpiresAt} <= ${now}::timestamptz`,
          ),
        ),
      )
      .orderBy(sql`${botAccounts.leaseOwner} is distinct from ${input.owner}`, asc(botAccounts.id))
      .limit(limit)
      .for('update', { skipLocked: true })
    if (candidates.length === 0) return []
    return tx
      .update(botAccounts)
      .set({ leaseOwner: input.owner, leaseExpiresAt: until })
      .where(
        inArray(
          botAccounts.id,
          candidates.map((c) => c.id),
        ),
      )
      .returning()
  })
}

/** Extend the leases `owner` still holds; the ids it lost (expired and taken) are not returned. */
export async function renewLeases(
  db: Db,
  input: { owner: string; ids: number[]; now: Date; ttlMs: number },
): Promise<number[]> {
  if (input.ids.length === 0) return []
  const rows = await db
    .update(botAccounts)
    .set({ leaseExpiresAt: new Date(input.now.getTime() + input.ttlMs) })
    .where(
      and(
        inArray(botAccounts.id, input.ids),
        eq(botAccounts.leaseOwner, input.owner),
        notInArray(botAccounts.state, [...NOT_RUNNABLE]),
      ),
    )
    .returning({ id: botAccounts.id })
  return rows.map((r) => r.id)
}

export async function releaseLeases(db: Db, owner: string, ids?: number[]): Promise<void> {
  await db
    .update(botAccounts)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(botAccounts.leaseOwner, owner), ids ? inArray(botAccounts.id, ids) : undefined))
}

/** The puppet token of an account: its own (decrypted with SECRET_KEY) or the environment's. */
export function puppetToken(
  account: Pick<BotAccount, 'puppetTokenEncrypted'>,
  config: { SECRET_KEY?: string | undefined; WECHATY_PUPPET_SERVICE_TOKEN?: string | undefined },
): string | undefined {
  if (account.puppetTokenEncrypted) return decryptSecret(config.SECRET_KEY, account.puppetTokenEncrypted)
  return config.WECHATY_PUPPET_SERVICE_TOKEN
}

/**
 * How long the supervisor waits before the n-th restart (1-based) of a failing account: the minimum
 * doubled each time, at most the maximum (30 s, 1 min, 2 min … 30 min by default).
 */
export function restartDelayMs(n: number, bounds: { minMs: number; maxMs: number }): number {
  return Math.min(bounds.maxMs, bounds.minMs * 2 ** Math.max(0, Math.min(n - 1, 30)))
}

export const puppets = ['wechaty-puppet-mock', 'wechaty-puppet-service', 'wechaty-puppet-wechat4u'] as const

export interface AccountSettings {
  displayName?: string
  puppet?: (typeof puppets)[number] | null
  friendCapacity?: number
  dailyCap?: number
  quietStart?: string
  quietEnd?: string
  pacing?: Record<string, unknown>
  state?: 'disabled' | 'needs_scan'
}

export async function createAccount(
  db: Db,
  input: AccountSettings & { name: string; displayName: string },
): Promise<BotAccount> {
  try {
    const [row] = await db.insert(botAccounts).values(input).returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('account_name_taken', '账号名称已存在')
    throw err
  }
}

export async function updateAccount(db: Db, id: number, input: AccountSettings): Promise<BotAccount> {
  const [row] = await db.update(botAccounts).set(input).where(eq(botAccounts.id, id)).returning()
  if (!row) throw notFound('顾问账号', 'account_not_found')
  return row
}

export async function setAccountToken(
  db: Db,
  id: number,
  token: string,
  secretKey: string | undefined,
): Promise<void> {
  const sealed = encryptSecret(secretKey, token)
  const [row] = await db
    .update(botAccounts)
    .set({ puppetTokenEncrypted: sealed })
    .where(eq(botAccounts.id, id))
    .returning({ id: botAccounts.id })
  if (!row) throw notFound('顾问账号', 'account_not_found')
}

export async function getAccount(db: Db, id: number): Promise<BotAccount> {
  const [row] = await db.select().from(botAccounts).where(eq(botAccounts.id, id))
  if (!row) throw notFound('顾问账号', 'account_not_found')
  return row
}

/** Every account with what operators watch: state, QR, who runs it, load, today's sends, pause. */
export async function accountOverview(db: Db, now: Date) {
  const rows = await db
    .select({
      account: botAccounts,
      // The outer row spelled out: a column object inside the subquery renders unqualified (the inner row's id).
      members: sql<number>`(select count(*)::int from members m where m.advisor_account_id = bot_accounts.id and m.merged_into_id is null)`,
      queued: sql<number>`(select count(*)::int from outbound_messages o where o.account_id = bot_accounts.id and o.status = 'queued')`,
      deadLetters: sql<number>`(select count(*)::int from outbound_messages o where o.account_id = bot_accounts.id and o.status in ('dead', 'failed'))`,
    })
    .from(botAccounts)
    .orderBy(asc(botAccounts.id))
  return rows.map((r) => ({
    ...r,
    kinds: kindFigures(r.account, now),
    sentToday: usedToday(accountPacingState(r.account), 'direct', now),
    leaseActive: Boolean(r.account.leaseOwner && r.account.leaseExpiresAt && r.account.leaseExpiresAt > now),
    paused: latestPause(accountPacingState(r.account), now) !== null,
  }))
}

/** One action kind of one account as operators see it: today's use against its limits, its pause. */
export interface KindFigures {
  kind: ActionKind
  usedToday: number
  /** What the daily cap allows today (the warm-up ramp applied); null: no cap. */
  allowedToday: number | null
  /** The configured daily cap (before the warm-up ramp), and the ramp. */
  dailyMax: number | null
  ramp: number[]
  usedThisHour: number
  hourlyMax: number | null
  /** The jittered gap after each action of this kind, [min, max] ms. */
  gapMs: [number, number] | null
  pausedUntil: Date | null
  pauseReason: string | null
}

function ruleOf<C extends PacingPolicy['rules'][number]['code']>(
  policy: PacingPolicy,
  code: C,
  k: ActionKind,
) {
  return policy.rules.find(
    (r): r is Extract<PacingPolicy['rules'][number], { code: C }> =>
      r.code === code && 'kind' in r.args && r.args.kind === k,
  )
}

/** Every action kind's figures for an account at `now`, from its policy and its pacing state. */
export function kindFigures(account: BotAccount, now: Date): KindFigures[] {
  const policy = accountPolicy(account)
  const state: PacingState = accountPacingState(account)
  const env = accountEnv(account, now)
  return actionKinds.map((k) => {
    const daily = ruleOf(policy, 'daily_cap', k)
    const hourly = ruleOf(policy, 'hourly_cap', k)
    const gap = ruleOf(policy, 'gap', k)
    const s = state.kinds[k]
    const allowed = dailyCapOf(policy, k, env, now)
    const paused = s?.pausedUntil && s.pausedUntil > now.getTime() ? s.pausedUntil : null
    return {
      kind: k,
      usedToday: usedToday(state, k, now),
      allowedToday: Number.isFinite(allowed) ? allowed : null,
      dailyMax: daily?.args.max ?? null,
      ramp: daily?.args.ramp ?? [],
      usedThisHour: s && s.hour === shanghaiHour(now) ? s.inHour : 0,
      hourlyMax: hourly?.args.max ?? null,
      gapMs: gap ? [gap.args.ms[0], gap.args.ms[1]] : null,
      pausedUntil: paused ? new Date(paused) : null,
      pauseReason: paused ? (s?.pauseReason ?? null) : null,
    }
  })
}
