// Withdrawals of available commission: a request holds the amount (available → withdrawing) under
// the account's row lock, so concurrent requests can never take more than is available; operators
// approve, reject (the amount returns) or mark paid (withdrawing → withdrawn).
import { and, desc, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, DomainError, notFound } from '../errors'
import { withdrawals, type Withdrawal, type WithdrawalState } from '../db/schema/referral'
import { lockCommissionAccount, postCommissionEntry, type BucketMoves } from './commission-ledger'
import { getReferralSettings } from './settings'

export const withdrawalActions = ['approve', 'reject', 'pay', 'cancel'] as const
export type WithdrawalAction = (typeof withdrawalActions)[number]

/** The state machine, as data: from which states an action may be taken, where it leads, what it moves. */
const transitions: Record<
  WithdrawalAction,
  { from: readonly WithdrawalState[]; to: WithdrawalState; moves: (amount: number) => BucketMoves | null }
> = {
  approve: { from: ['requested'], to: 'approved', moves: () => null },
  reject: {
    from: ['requested', 'approved'],
    to: 'rejected',
    moves: (a) => ({ withdrawing: -a, available: a }),
  },
  cancel: { from: ['requested'], to: 'cancelled', moves: (a) => ({ withdrawing: -a, available: a }) },
  pay: { from: ['approved'], to: 'paid', moves: (a) => ({ withdrawing: -a, withdrawn: a }) },
}

/** Pure: the state an action leads to, or null when it is not allowed from `state`. */
export function nextWithdrawalState(
  state: WithdrawalState,
  action: WithdrawalAction,
): WithdrawalState | null {
  const t = transitions[action]
  return t.from.includes(state) ? t.to : null
}

const actionNames: Record<WithdrawalAction, string> = {
  approve: '审核通过',
  reject: '驳回',
  pay: '标记已打款',
  cancel: '取消',
}
const stateNames: Record<WithdrawalState, string> = {
  requested: '待审核',
  approved: '待打款',
  paid: '已打款',
  rejected: '已驳回',
  cancelled: '已取消',
}

/** Ask to withdraw `amountFen` of available commission. 409 `insufficient_commission` if there is not enough. */
export async function requestWithdrawal(
  db: Db,
  input: { promoterId: number; amountFen: number; at: Date },
): Promise<Withdrawal> {
  const { minWithdrawalFen } = await getReferralSettings(db)
  if (!Number.isInteger(input.amountFen) || input.amountFen < minWithdrawalFen)
    throw new DomainError(
      'withdrawal_too_small',
      `提现金额不能少于 ${(minWithdrawalFen / 100).toFixed(2)} 元`,
      400,
      [{ path: 'amountFen', message: `最少 ${minWithdrawalFen} 分` }],
    )
  return db.transaction(async (tx) => {
    const account = await lockCommissionAccount(tx, input.promoterId)
    if (account.availableFen < input.amountFen)
      throw new DomainError(
        'insufficient_commission',
        `可提现佣金不足：可提现 ${(account.availableFen / 100).toFixed(2)} 元`,
        409,
        [{ path: 'amountFen', message: `可提现 ${account.availableFen} 分` }],
      )
    const [withdrawal] = await tx
      .insert(withdrawals)
      .values({ promoterId: input.promoterId, amountFen: input.amountFen, requestedAt: input.at })
      .returning()
    await postCommissionEntry(tx, {
      promoterId: input.promoterId,
      kind: 'withdraw_request',
      moves: { available: -input.amountFen, withdrawing: input.amountFen },
      sourceKey: `withdrawal:${withdrawal!.id}:request`,
      reason: '申请提现',
      at: input.at,
      withdrawalId: withdrawal!.id,
    })
    return withdrawal!
  })
}

/**
 * Take an action on a withdrawal. Operators approve, reject and pay; the promoter may cancel while it
 * waits. `promoterId` restricts the action to that promoter's own withdrawals.
 */
export async function actOnWithdrawal(
  db: Db,
  input: {
    withdrawalId: number
    action: WithdrawalAction
    at: Date
    operatorId?: number
    promoterId?: number
    note?: string
  },
): Promise<Withdrawal> {
  return db.transaction(async (tx) => {
    const [w] = await tx
      .select()
      .from(withdrawals)
      .where(eq(withdrawals.id, input.withdrawalId))
      .for('update')
    if (!w || (input.promoterId !== undefined && w.promoterId !== input.promoterId))
      throw notFound('提现申请', 'withdrawal_not_found')
    const next = nextWithdrawalState(w.state, input.action)
    if (!next)
      throw conflict(
        'invalid_withdrawal_transition',
        `提现申请${stateNames[w.state]}，不能${actionNames[input.action]}`,
      )
    const moves = transitions[input.action].moves(w.amountFen)
    if (moves) {
      await lockCommissionAccount(tx, w.promoterId)
      await postCommissionEntry(tx, {
        promoterId: w.promoterId,
        kind: input.action === 'pay' ? 'withdraw_pay' : 'withdraw_release',
        moves,
        sourceKey: `withdrawal:${w.id}:${input.action}`,
        reason: `提现${actionNames[input.action]}`,
        at: input.at,
        withdrawalId: w.id,
      })
    }
    const [updated] = await tx
      .update(withdrawals)
      .set({
        state: next,
        ...(input.action === 'pay' ? { paidAt: input.at } : { decidedAt: input.at }),
        ...(input.operatorId !== undefined ? { decidedBy: input.operatorId } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      })
      .where(eq(withdrawals.id, w.id))
      .returning()
    return updated!
  })
}

export const withdrawalViewSchema = z.object({
  id: z.number().int(),
  promoterId: z.number().int(),
  amountFen: z.number().int(),
  state: z.enum(['requested', 'approved', 'paid', 'rejected', 'cancelled']),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  note: z.string().nullable(),
})

export function presentWithdrawal(w: Withdrawal) {
  return {
    id: w.id,
    promoterId: w.promoterId,
    amountFen: w.amountFen,
    state: w.state,
    requestedAt: w.requestedAt.toISOString(),
    decidedAt: w.decidedAt?.toISOString() ?? null,
    paidAt: w.paidAt?.toISOString() ?? null,
    note: w.note,
  }
}

export async function listWithdrawals(
  db: Db,
  filter: { promoterId?: number; states?: WithdrawalState[]; limit?: number; offset?: number },
) {
  const rows = await db
    .select()
    .from(withdrawals)
    .where(
      and(
        filter.promoterId !== undefined ? eq(withdrawals.promoterId, filter.promoterId) : undefined,
        filter.states?.length ? inArray(withdrawals.state, filter.states) : undefined,
      ),
    )
    .orderBy(desc(withdrawals.requestedAt), desc(withdrawals.id))
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0)
  return rows.map(presentWithdrawal)
}
