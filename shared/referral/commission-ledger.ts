// The commission ledger: every movement between a promoter's buckets (frozen → available →
// withdrawing → withdrawn) is an append-only entry keyed by its source, applied to the balance row in
// the same transaction; the row is locked first, so changes to one promoter are serialised, and the
// database refuses any bucket below zero.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import {
  commissionAccounts,
  commissionEntries,
  type CommissionAccount,
  type CommissionEntryKind,
} from '../db/schema/referral'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface BucketMoves {
  frozen?: number
  available?: number
  withdrawing?: number
  withdrawn?: number
}

/** Lock (creating if needed) a promoter's account row for the rest of the transaction. */
export async function lockCommissionAccount(tx: Tx, promoterId: number): Promise<CommissionAccount> {
  await tx.insert(commissionAccounts).values({ promoterId }).onConflictDoNothing()
  const [row] = await tx
    .select()
    .from(commissionAccounts)
    .where(eq(commissionAccounts.promoterId, promoterId))
    .for('update')
  return row!
}

/**
 * Post one entry and move the buckets (the account must be locked by the caller). Returns false when
 * the source key was already posted: a retried event moves nothing.
 */
export async function postCommissionEntry(
  tx: Tx,
  input: {
    promoterId: number
    kind: CommissionEntryKind
    moves: BucketMoves
    sourceKey: string
    reason: string
    at: Date
    commissionId?: number
    withdrawalId?: number
  },
): Promise<boolean> {
  const m = {
    frozen: input.moves.frozen ?? 0,
    available: input.moves.available ?? 0,
    withdrawing: input.moves.withdrawing ?? 0,
    withdrawn: input.moves.withdrawn ?? 0,
  }
  const [entry] = await tx
    .insert(commissionEntries)
    .values({
      promoterId: input.promoterId,
      kind: input.kind,
      frozenDelta: m.frozen,
      availableDelta: m.available,
      withdrawingDelta: m.withdrawing,
      withdrawnDelta: m.withdrawn,
      commissionId: input.commissionId,
      withdrawalId: input.withdrawalId,
      sourceKey: input.sourceKey,
      reason: input.reason,
      createdAt: input.at,
    })
    .onConflictDoNothing({ target: commissionEntries.sourceKey })
    .returning({ id: commissionEntries.id })
  if (!entry) return false
  await tx
    .update(commissionAccounts)
    .set({
      frozenFen: sql`${commissionAccounts.frozenFen} + ${m.frozen}`,
      availableFen: sql`${commissionAccounts.availableFen} + ${m.available}`,
      withdrawingFen: sql`${commissionAccounts.withdrawingFen} + ${m.withdrawing}`,
      withdrawnFen: sql`${commissionAccounts.withdrawnFen} + ${m.withdrawn}`,
      updatedAt: input.at,
    })
    .where(eq(commissionAccounts.promoterId, input.promoterId))
  return true
}

export interface CommissionBalance {
  frozenFen: number
  availableFen: number
  withdrawingFen: number
  withdrawnFen: number
}

export async function commissionBalanceOf(db: Db, promoterId: number): Promise<CommissionBalance> {
  const [row] = await db
    .select()
    .from(commissionAccounts)
    .where(eq(commissionAccounts.promoterId, promoterId))
  return {
    frozenFen: row?.frozenFen ?? 0,
    availableFen: row?.availableFen ?? 0,
    withdrawingFen: row?.withdrawingFen ?? 0,
    withdrawnFen: row?.withdrawnFen ?? 0,
  }
}

/** Promoters whose balance row differs from the sum of their entries (always empty unless corrupted). */
export async function commissionLedgerDiscrepancies(db: Db): Promise<number[]> {
  const rows = await queryRows<{ promoter_id: number }>(
    db,
    sql`select coalesce(a.promoter_id, e.promoter_id) as promoter_id
        from commission_accounts a
        full join (
          select promoter_id, sum(frozen_delta) f, sum(available_delta) av, sum(withdrawing_delta) wi, sum(withdrawn_delta) wn
          from commission_entries group by promoter_id
        ) e on e.promoter_id = a.promoter_id
        where coalesce(a.frozen_fen, 0) <> coalesce(e.f, 0) or coalesce(a.available_fen, 0) <> coalesce(e.av, 0)
           or coalesce(a.withdrawing_fen, 0) <> coalesce(e.wi, 0) or coalesce(a.withdrawn_fen, 0) <> coalesce(e.wn, 0)`,
  )
  return rows.map((r) => Number(r.promoter_id))
}
