// A member's points account as operators see it, and manual adjustments (a goodwill credit, a
// correction), keyed by the operator's request id so a double-click adjusts once.
import type { Db } from '../db/client'
import { getMember } from '../members/profile'
import { grantPoints, pointsBalance, spendPoints, type PointsResult } from './ledger'
import { grantExpiry, loadPointsPolicy } from './policy'
import { expiringPoints, openGrants, pointsHistory } from './history'

export async function memberPointsAccount(
  db: Db,
  memberId: number,
  at: Date,
  page: { before?: number; limit: number },
) {
  await getMember(db, memberId)
  return {
    memberId,
    balance: await pointsBalance(db, memberId, at),
    expiring: await expiringPoints(db, memberId, at),
    grants: await openGrants(db, memberId),
    ...(await pointsHistory(db, memberId, page)),
  }
}

export async function adjustPoints(
  db: Db,
  input: {
    memberId: number
    amount: number
    reason: string
    requestId: string
    operatorId?: number
    /** For a credit: when it expires (null = never; absent = the points policy). */
    expiresAt?: Date | null
  },
  at: Date,
): Promise<PointsResult> {
  await getMember(db, input.memberId)
  const sourceKey = `adjust:${input.memberId}:${input.requestId}`
  const reason = `人工调整：${input.reason}`
  if (input.amount > 0) {
    const expiresAt =
      input.expiresAt === undefined ? grantExpiry(await loadPointsPolicy(db), at) : input.expiresAt
    return grantPoints(db, {
      memberId: input.memberId,
      amount: input.amount,
      sourceKey,
      reason,
      at,
      expiresAt,
      kind: 'adjust',
    })
  }
  return spendPoints(db, {
    memberId: input.memberId,
    amount: -input.amount,
    sourceKey,
    reason,
    at,
    kind: 'adjust',
  })
}
