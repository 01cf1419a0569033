// The points account (Open Loyalty style): every change is an entry in an append-only ledger keyed by
// its source; a positive entry is a grant with its own expiry and unspent remainder; spending consumes
// the soonest-expiring grants first; the balance row moves in the same transaction and the database
// refuses to let it go below zero. A retried event (same source key) changes nothing.
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { pointsAccounts, pointsEntries, type PointsEntry, type PointsEntryKind } from './schema'

export interface PointsResult {
  entry: PointsEntry
  /** True when this source key had already been applied: nothing changed. */
  duplicate: boolean
  balance: number
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

const positiveInt = (n: number, what: string) => {
  if (!Number.isInteger(n) || n <= 0)
    throw new DomainError('invalid_points', `${what}必须是正整数`, 400, [
      { path: 'amount', message: `${what}必须是正整数` },
    ])
}

async function existing(tx: Tx | Db, sourceKey: string) {
  const [entry] = await tx.select().from(pointsEntries).where(eq(pointsEntries.sourceKey, sourceKey))
  return entry
}

async function balanceIn(tx: Tx | Db, memberId: number): Promise<number> {
  const [row] = await tx
    .select({ balance: pointsAccounts.balance })
    .from(pointsAccounts)
    .where(eq(pointsAccounts.memberId, memberId))
  return row?.balance ?? 0
}

/** Lock (creating if needed) a member's points account: every change to one member is serialised. */
async function lockAccount(tx: Tx, memberId: number): Promise<number> {
  await tx.insert(pointsAccounts).values({ memberId, balance: 0 }).onConflictDoNothing()
  const rows = await tx.execute(
    sql`select balance from points_accounts where member_id = ${memberId} for update`,
  )
  return (rows as unknown as { rows: { balance: number }[] }).rows[0]!.balance
}

async function move(tx: Tx, memberId: number, delta: number, at: Date): Promise<number> {
  const [row] = await tx
    .update(pointsAccounts)
    .set({ balance: sql`${pointsAccounts.balance} + ${delta}`, updatedAt: at })
    .where(eq(pointsAccounts.memberId, memberId))
    .returning({ balance: pointsAccounts.balance })
  return row!.balance
}

/** Expire a member's grants whose date has come (inside the caller's transaction, account locked). */
async function expireDueIn(tx: Tx, memberId: number, at: Date): Promise<number> {
  const due = await tx
    .select()
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.memberId, memberId),
        gt(pointsEntries.remaining, 0),
        lte(pointsEntries.expiresAt, at),
      ),
    )
    .orderBy(asc(pointsEntries.expiresAt), asc(pointsEntries.id))
  let total = 0
  for (const grant of due) {
    const amount = grant.remaining!
    await tx.update(pointsEntries).set({ remaining: 0 }).where(eq(pointsEntries.id, grant.id))
    await tx.insert(pointsEntries).values({
      memberId,
      kind: 'expire',
      amount: -amount,
      sourceKey: `expire:${grant.id}`,
      reason: '积分到期',
      createdAt: grant.expiresAt!,
    })
    total += amount
  }
  if (total > 0) await move(tx, memberId, -total, at)
  return total
}

/** Take `amount` from the open grants, soonest-expiring first (never-expiring last). */
async function consumeGrants(tx: Tx, memberId: number, amount: number): Promise<void> {
  const grants = await tx
    .select({ id: pointsEntries.id, remaining: pointsEntries.remaining })
    .from(pointsEntries)
    .where(and(eq(pointsEntries.memberId, memberId), gt(pointsEntries.remaining, 0)))
    .orderBy(sql`${pointsEntries.expiresAt} asc nulls last`, asc(pointsEntries.id))
  let left = amount
  for (const g of grants) {
    if (left === 0) break
    const take = Math.min(left, g.remaining!)
    await tx
      .update(pointsEntries)
      .set({ remaining: sql`${pointsEntries.remaining} - ${take}` })
      .where(eq(pointsEntries.id, g.id))
    left -= take
  }
  if (left > 0)
    throw new Error(`points ledger out of balance for member ${memberId}: ${left} not covered by grants`)
}

export interface GrantInput {
  memberId: number
  amount: number
  sourceKey: string
  reason: string
  at: Date
  /** When this grant expires; null = never. */
  expiresAt: Date | null
  kind?: Extract<PointsEntryKind, 'earn' | 'adjust'>
}

/** Credit points once per source key. */
export async function grantPoints(db: Db, input: GrantInput): Promise<PointsResult> {
  positiveInt(input.amount, '积分数量')
  return db.transaction(async (tx) => {
    const prior = await existing(tx, input.sourceKey)
    if (prior) return { entry: prior, duplicate: true, balance: await balanceIn(tx, input.memberId) }
    await lockAccount(tx, input.memberId)
    const [entry] = await tx
      .insert(pointsEntries)
      .values({
        memberId: input.memberId,
        kind: input.kind ?? 'earn',
        amount: input.amount,
        remaining: input.amount,
        sourceKey: input.sourceKey,
        reason: input.reason,
        expiresAt: input.expiresAt,
        createdAt: input.at,
      })
      .onConflictDoNothing({ target: pointsEntries.sourceKey })
      .returning()
    if (!entry)
      return {
        entry: (await existing(tx, input.sourceKey))!,
        duplicate: true,
        balance: await balanceIn(tx, input.memberId),
      }
    const balance = await move(tx, input.memberId, input.amount, input.at)
    return { entry, duplicate: false, balance }
  })
}

export interface DebitInput {
  memberId: number
  amount: number
  sourceKey: string
  reason: string
  at: Date
  kind?: Extract<PointsEntryKind, 'spend' | 'adjust'>
}

/**
 * Spend points once per source key. Grants already past their date are expired first, so a member
 * never spends points that have lapsed. Fewer points than asked: a 409 `insufficient_points`.
 */
export async function spendPoints(db: Db, input: DebitInput): Promise<PointsResult> {
  positiveInt(input.amount, '积分数量')
  return db.transaction((tx) => spendIn(tx, input))
}

/** spendPoints inside a caller's transaction (e.g. redeeming points and stock together). */
export async function spendIn(tx: Tx, input: DebitInput): Promise<PointsResult> {
  positiveInt(input.amount, '积分数量')
  const prior = await existing(tx, input.sourceKey)
  if (prior) return { entry: prior, duplicate: true, balance: await balanceIn(tx, input.memberId) }
  await lockAccount(tx, input.memberId)
  await expireDueIn(tx, input.memberId, input.at)
  const balance = await balanceIn(tx, input.memberId)
  if (balance < input.amount) {
    throw new DomainError('insufficient_points', `积分不足：需要 ${input.amount}，可用 ${balance}`, 409, [
      { path: 'amount', message: `可用积分 ${balance}` },
    ])
  }
  const [entry] = await tx
    .insert(pointsEntries)
    .values({
      memberId: input.memberId,
      kind: input.kind ?? 'spend',
      amount: -input.amount,
      sourceKey: input.sourceKey,
      reason: input.reason,
      createdAt: input.at,
    })
    .returning()
  await consumeGrants(tx, input.memberId, input.amount)
  return { entry: entry!, duplicate: false, balance: await move(tx, input.memberId, -input.amount, input.at) }
}

export interface ReversalResult extends PointsResult {
  /** Points the original grant gave that could not be taken back (already spent, balance too low). */
  shortfall: number
}

/**
 * Reverse a grant (a refunded order's points). Its unspent remainder is taken back first; what the
 * member already spent is taken from their other points as far as the balance allows; the balance never
 * goes below zero, and what cannot be recovered is reported as the shortfall (written off).
 */
export async function reverseGrant(
  db: Db,
  input: { grantSourceKey: string; sourceKey: string; reason: string; at: Date },
): Promise<ReversalResult> {
  return db.transaction(async (tx) => {
    const grant = await existing(tx, input.grantSourceKey)
    if (!grant || grant.amount <= 0) throw new DomainError('grant_not_found', '要冲正的积分记录不存在', 404)
    const prior = await existing(tx, input.sourceKey)
    if (prior)
      return {
        entry: prior,
        duplicate: true,
        balance: await balanceIn(tx, grant.memberId),
        shortfall: grant.amount + prior.amount,
      }
    await lockAccount(tx, grant.memberId)
    await expireDueIn(tx, grant.memberId, input.at)
    const [fresh] = await tx.select().from(pointsEntries).where(eq(pointsEntries.id, grant.id))
    const fromGrant = fresh!.remaining ?? 0
    const balance = await balanceIn(tx, grant.memberId)
    const fromOthers = Math.min(grant.amount - fromGrant, balance - fromGrant)
    const total = fromGrant + Math.max(0, fromOthers)
    if (total === 0) {
      // Nothing left to take back: record nothing in the ledger (entries are never zero).
      return { entry: fresh!, duplicate: false, balance, shortfall: grant.amount }
    }
    await tx.update(pointsEntries).set({ remaining: 0 }).where(eq(pointsEntries.id, grant.id))
    const [entry] = await tx
      .insert(pointsEntries)
      .values({
        memberId: grant.memberId,
        kind: 'reverse',
        amount: -total,
        sourceKey: input.sourceKey,
        reason: input.reason,
        createdAt: input.at,
      })
      .returning()
    if (total > fromGrant) await consumeGrants(tx, grant.memberId, total - fromGrant)
    return {
      entry: entry!,
      duplicate: false,
      balance: await move(tx, grant.memberId, -total, input.at),
      shortfall: grant.amount - total,
    }
  })
}

/** Expire every grant whose date has come (the nightly job); returns points expired. */
export async function expireDuePoints(db: Db, at: Date): Promise<{ members: number; points: number }> {
  const due = await db
    .selectDistinct({ memberId: pointsEntries.memberId })
    .from(pointsEntries)
    .where(and(gt(pointsEntries.remaining, 0), lte(pointsEntries.expiresAt, at)))
  let points = 0
  for (const { memberId } of due) {
    points += await db.transaction(async (tx) => {
      await lockAccount(tx, memberId)
      return expireDueIn(tx, memberId, at)
    })
  }
  return { members: due.length, points }
}

/** Points a member can use at `at`: the balance less grants whose date has passed but not yet expired by the job. */
export async function pointsBalance(db: Db, memberId: number, at: Date): Promise<number> {
  const [lapsed] = await db
    .select({ n: sql<number>`coalesce(sum(${pointsEntries.remaining}), 0)::int` })
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.memberId, memberId),
        gt(pointsEntries.remaining, 0),
        lte(pointsEntries.expiresAt, at),
      ),
    )
  return (await balanceIn(db, memberId)) - lapsed!.n
}
