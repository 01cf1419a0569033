// The points account (Open Loyalty style): every change is an entry in an append-only ledger keyed by
// its source; a positive entry is a grant with its own expiry and unspent remainder; spending consumes
// the soonest-expiring grants first; the balance row moves in the same transaction and the database
// refuses to let it go below zero. A retried event (same source key) changes nothing.
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import { DomainError } from '../errors'
import { pointsAccounts, pointsEntries, type PointsEntry, type PointsEntryKind } from '../db/schema/loyalty'

export interface PointsResult {
  entry: PointsEntry
  /** True when this source key had already been applied: nothing changed. */
  duplicate: boolean
  balance: number
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

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

/**
 * Lock (creating if needed) a member's points account: every spend, expiry and reversal of one member
 * is serialised on this row, and so is anything a caller wants to keep in step with them (redeeming).
 */
export async function lockPointsAccount(tx: Tx, memberId: number): Promise<number> {
  return lockAccount(tx, memberId)
}

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

/**
 * Credit points once per source key. One statement writes the grant and moves the balance (atomic on
 * its own, inside a caller's transaction too); a source key seen before changes nothing and answers
 * `duplicate` with the entry first written for it.
 */
export async function grantPoints(db: Db, input: GrantInput): Promise<PointsResult> {
  positiveInt(input.amount, '积分数量')
  const rows = await queryRows<EntryRow & { balance: number }>(
    db,
    sql`with e as (
          insert into points_entries (member_id, kind, amount, remaining, source_key, reason, expires_at, created_at)
          values (${input.memberId}, ${input.kind ?? 'earn'}, ${input.amount}, ${input.amount}, ${input.sourceKey},
                  ${input.reason}, ${input.expiresAt?.toISOString() ?? null}::timestamptz, ${input.at.toISOString()}::timestamptz)
          on conflict (source_key) do nothing
          returning *
        ), a as (
          insert into points_accounts (member_id, balance, updated_at)
          select member_id, amount, created_at from e
          on conflict (member_id) do update
            set balance = points_accounts.balance + excluded.balance,
                updated_at = greatest(points_accounts.updated_at, excluded.updated_at)
          returning balance
        )
        select e.*, a.balance from e, a`,
  )
  const row = rows[0]
  if (row) return { entry: entryFromRow(row), duplicate: false, balance: row.balance }
  const prior = await existing(db, input.sourceKey)
  return { entry: prior!, duplicate: true, balance: await balanceIn(db, prior!.memberId) }
}

interface EntryRow {
  id: number
  member_id: number
  kind: PointsEntryKind
  amount: number
  source_key: string
  reason: string
  expires_at: Date | string | null
  remaining: number | null
  created_at: Date | string
}

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v))

function entryFromRow(r: EntryRow): PointsEntry {
  return {
    id: r.id,
    memberId: r.member_id,
    kind: r.kind,
    amount: r.amount,
    sourceKey: r.source_key,
    reason: r.reason,
    expiresAt: r.expires_at === null ? null : asDate(r.expires_at),
    remaining: r.remaining,
    createdAt: asDate(r.created_at),
  }
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
  // The same spend retried concurrently: the first one holds the lock; the others find its entry here.
  const raced = await existing(tx, input.sourceKey)
  if (raced) return { entry: raced, duplicate: true, balance: await balanceIn(tx, input.memberId) }
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
 * Reverse a grant (a refunded order's points).
 *
 * Shortfall policy, when some of the grant's points were already spent:
 * 1. the grant's unspent remainder is taken back first;
 * 2. what the member already spent of it is taken from their other open points (soonest-expiring
 *    first), as far as the balance allows; what lapsed unused (expired) is not taken again;
 * 3. the balance never goes below zero: whatever was spent and still cannot be recovered is the
 *    `shortfall`, written off and reported to the caller (the refund flow may deduct its value in fen
 *    from the refund, or an operator may adjust later; this module never creates debt).
 * The reversal is one `reverse` entry keyed by its own source, so a repeated refund changes nothing;
 * a grant with nothing left to take back records no entry (entries are never zero).
 */
export async function reverseGrant(
  db: Db,
  input: { grantSourceKey: string; sourceKey: string; reason: string; at: Date },
): Promise<ReversalResult> {
  return db.transaction(async (tx) => {
    const grant = await existing(tx, input.grantSourceKey)
    if (!grant || grant.amount <= 0) throw new DomainError('grant_not_found', '要冲正的积分记录不存在', 404)
    const settled = async (prior: PointsEntry): Promise<ReversalResult> => ({
      entry: prior,
      duplicate: true,
      balance: await balanceIn(tx, grant.memberId),
      shortfall: Math.max(0, grant.amount + prior.amount - (await expiredOf(tx, grant.id))),
    })
    const prior = await existing(tx, input.sourceKey)
    if (prior) return settled(prior)
    await lockAccount(tx, grant.memberId)
    const raced = await existing(tx, input.sourceKey)
    if (raced) return settled(raced)
    await expireDueIn(tx, grant.memberId, input.at)
    const [fresh] = await tx.select().from(pointsEntries).where(eq(pointsEntries.id, grant.id))
    const fromGrant = fresh!.remaining ?? 0
    // What the member actually spent of the grant (not what lapsed unused): only that is recovered from
    // their other points.
    const spent = grant.amount - fromGrant - (await expiredOf(tx, grant.id))
    const balance = await balanceIn(tx, grant.memberId)
    const fromOthers = Math.max(0, Math.min(spent, balance - fromGrant))
    const total = fromGrant + fromOthers
    if (total === 0) {
      // Nothing left to take back: record nothing in the ledger (entries are never zero).
      return { entry: fresh!, duplicate: false, balance, shortfall: spent }
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
    if (fromOthers > 0) await consumeGrants(tx, grant.memberId, fromOthers)
    return {
      entry: entry!,
      duplicate: false,
      balance: await move(tx, grant.memberId, -total, input.at),
      shortfall: spent - fromOthers,
    }
  })
}

/** Points of a grant that lapsed unused (its expiry entry). */
async function expiredOf(tx: Tx, grantId: number): Promise<number> {
  const entry = await existing(tx, `expire:${grantId}`)
  return entry ? -entry.amount : 0
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

/**
 * Move every points entry of `mergedId` to `survivorId` and restate both balances as the sums of their
 * entries, in one transaction (accounts locked in id order). The survivor's balance becomes the sum of
 * both; the absorbed member's becomes zero. Safe to call after a generic merge already re-pointed the
 * entries: the balances are restated from the ledger either way.
 */
export async function mergePointsAccounts(
  db: Db,
  input: { survivorId: number; mergedId: number; at: Date },
): Promise<{ balance: number }> {
  return db.transaction(async (tx) => {
    for (const id of [input.survivorId, input.mergedId].sort((a, b) => a - b)) await lockAccount(tx, id)
    await tx
      .update(pointsEntries)
      .set({ memberId: input.survivorId })
      .where(eq(pointsEntries.memberId, input.mergedId))
    const balances = await restate(tx, [input.survivorId, input.mergedId], input.at)
    return { balance: balances.get(input.survivorId)! }
  })
}

/**
 * Restate members' balances as the sums of their ledger entries (after entries were moved between
 * members, e.g. a merge undone). Refused (the CHECK) if a ledger would sum below zero.
 */
export async function rebalancePointsAccounts(
  db: Db,
  memberIds: number[],
  at: Date,
): Promise<Map<number, number>> {
  return db.transaction(async (tx) => {
    for (const id of [...new Set(memberIds)].sort((a, b) => a - b)) await lockAccount(tx, id)
    return restate(tx, memberIds, at)
  })
}

async function restate(tx: Tx, memberIds: number[], at: Date): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  for (const id of memberIds) {
    const [row] = await tx
      .update(pointsAccounts)
      .set({
        balance: sql`(select coalesce(sum(amount), 0) from points_entries where member_id = ${id})`,
        updatedAt: at,
      })
      .where(eq(pointsAccounts.memberId, id))
      .returning({ balance: pointsAccounts.balance })
    out.set(id, row!.balance)
  }
  return out
}
