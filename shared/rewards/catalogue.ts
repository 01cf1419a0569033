// The redemption catalogue: vouchers, gifts with stock, privileges. Redeeming takes the points and the
// stock in one transaction, once per (member, client request id): a retried request returns the first
// redemption; a sold-out gift or a short balance leaves both untouched.
//
// A voucher here is a reward with a reference code (`redemptions.voucher_code`) and its terms (face
// value, minimum spend, validity); the store honours the code at checkout and marks it fulfilled.
import { randomBytes } from 'node:crypto'
import { and, asc, count, desc, eq, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { redemptions, rewards, type Redemption, type Reward, type RewardKind } from '../db/schema/loyalty'
import { grantPoints, lockPointsAccount, pointsBalance, spendIn } from '../points/ledger'
import { grantExpiry, loadPointsPolicy } from '../points/policy'

export const rewardArgsSchemas = {
  voucher: z.object({
    faceValueFen: z.number().int().min(1),
    minSpendFen: z.number().int().min(0).default(0),
    validDays: z.number().int().min(1).max(3660),
  }),
  gift: z.object({ delivery: z.enum(['mail', 'pickup']).default('mail') }),
  privilege: z.object({ validDays: z.number().int().min(1).max(3660).optional() }),
} satisfies Record<RewardKind, z.ZodType>

const rewardFields = {
  code: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,63}$/, '编码只能包含小写字母、数字、下划线和连字符'),
  name: z.string().trim().min(1).max(40),
  description: z.string().max(1000).optional(),
  imageUrl: z.string().max(500).optional(),
  pointsCost: z.number().int().min(1).max(100_000_000),
  stock: z.number().int().min(0).nullable().default(null),
  perMemberLimit: z.number().int().min(1).nullable().default(null),
  active: z.boolean().default(true),
  sort: z.number().int().default(0),
}

export const rewardInputSchema = z.discriminatedUnion('kind', [
  z.object({ ...rewardFields, kind: z.literal('voucher'), args: rewardArgsSchemas.voucher }),
  z.object({ ...rewardFields, kind: z.literal('gift'), args: rewardArgsSchemas.gift }),
  z.object({ ...rewardFields, kind: z.literal('privilege'), args: rewardArgsSchemas.privilege }),
])
export type RewardInput = z.input<typeof rewardInputSchema>

export const rewardPatchSchema = z
  .object({
    name: rewardFields.name,
    description: rewardFields.description,
    imageUrl: rewardFields.imageUrl,
    pointsCost: rewardFields.pointsCost,
    stock: z.number().int().min(0).nullable(),
    perMemberLimit: z.number().int().min(1).nullable(),
    active: z.boolean(),
    sort: z.number().int(),
  })
  .partial()

export async function createReward(db: Db, input: RewardInput): Promise<Reward> {
  const r = rewardInputSchema.parse(input)
  try {
    const [row] = await db.insert(rewards).values(r).returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('reward_code_taken', `兑换品编码「${r.code}」已存在`, 409, [
        { path: 'code', message: `编码「${r.code}」已被其他兑换品使用` },
      ])
    throw err
  }
}

export async function updateReward(
  db: Db,
  id: number,
  patch: z.infer<typeof rewardPatchSchema>,
): Promise<Reward> {
  const [row] = await db.update(rewards).set(patch).where(eq(rewards.id, id)).returning()
  if (!row) throw notFound('兑换品', 'reward_not_found')
  return row
}

export const listRewards = (db: Db) => db.select().from(rewards).orderBy(asc(rewards.sort), asc(rewards.id))

export interface CatalogueItem {
  id: number
  code: string
  name: string
  kind: RewardKind
  description: string | null
  imageUrl: string | null
  pointsCost: number
  stock: number | null
  args: Record<string, unknown>
  redeemedByMe: number
  perMemberLimit: number | null
  /** Why the member cannot redeem it now, or null. */
  unavailable: string | null
}

/** The active catalogue as a member sees it: what they can afford, what is sold out or at its limit. */
export async function memberCatalogue(
  db: Db,
  memberId: number,
  at: Date,
): Promise<{ balance: number; items: CatalogueItem[] }> {
  const balance = await pointsBalance(db, memberId, at)
  const items = await db
    .select()
    .from(rewards)
    .where(eq(rewards.active, true))
    .orderBy(asc(rewards.sort), asc(rewards.id))
  const mine = await db
    .select({ rewardId: redemptions.rewardId, n: count() })
    .from(redemptions)
    .where(and(eq(redemptions.memberId, memberId), ne(redemptions.status, 'cancelled')))
    .groupBy(redemptions.rewardId)
  const used = new Map(mine.map((m) => [m.rewardId, m.n]))
  return {
    balance,
    items: items.map((r) => {
      const redeemedByMe = used.get(r.id) ?? 0
      const unavailable =
        r.stock === 0
          ? '已兑完'
          : r.perMemberLimit !== null && redeemedByMe >= r.perMemberLimit
            ? '已达兑换上限'
            : balance < r.pointsCost
              ? '积分不足'
              : null
      return {
        id: r.id,
        code: r.code,
        name: r.name,
        kind: r.kind,
        description: r.description,
        imageUrl: r.imageUrl,
        pointsCost: r.pointsCost,
        stock: r.stock,
        args: r.args,
        redeemedByMe,
        perMemberLimit: r.perMemberLimit,
        unavailable,
      }
    }),
  }
}

const voucherCode = () =>
  'V' + [...randomBytes(10)].map((b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[b % 32]).join('')

export interface RedeemResult {
  redemption: Redemption
  reward: Reward
  balance: number
  duplicate: boolean
}

/** Redeem a reward: points and stock together, once per client request id. */
export async function redeemReward(
  db: Db,
  input: { memberId: number; rewardId: number; requestId: string },
  at: Date,
): Promise<RedeemResult> {
  return db.transaction(async (tx) => {
    // Every redemption and spend of this member queues here: the request id check below is race-free.
    await lockPointsAccount(tx, input.memberId)
    const [prior] = await tx
      .select()
      .from(redemptions)
      .where(and(eq(redemptions.memberId, input.memberId), eq(redemptions.requestId, input.requestId)))
    if (prior) {
      if (prior.rewardId !== input.rewardId)
        throw new DomainError('request_id_reused', '该请求编号已用于另一次兑换', 409)
      const [reward] = await tx.select().from(rewards).where(eq(rewards.id, prior.rewardId))
      return {
        redemption: prior,
        reward: reward!,
        balance: await pointsBalance(tx, input.memberId, at),
        duplicate: true,
      }
    }
    const [reward] = await tx.select().from(rewards).where(eq(rewards.id, input.rewardId))
    if (!reward) throw notFound('兑换品', 'reward_not_found')
    if (!reward.active) throw new DomainError('reward_inactive', `「${reward.name}」已下架`, 409)
    if (reward.perMemberLimit !== null) {
      const [mine] = await tx
        .select({ n: count() })
        .from(redemptions)
        .where(
          and(
            eq(redemptions.memberId, input.memberId),
            eq(redemptions.rewardId, reward.id),
            ne(redemptions.status, 'cancelled'),
          ),
        )
      if (mine!.n >= reward.perMemberLimit)
        throw new DomainError(
          'redemption_limit_reached',
          `「${reward.name}」每人限兑 ${reward.perMemberLimit} 次`,
          409,
        )
    }
    if (reward.stock !== null) {
      const taken = await tx
        .update(rewards)
        .set({ stock: sql`${rewards.stock} - 1` })
        .where(and(eq(rewards.id, reward.id), sql`${rewards.stock} >= 1`))
        .returning({ stock: rewards.stock })
      if (taken.length === 0) throw new DomainError('reward_out_of_stock', `「${reward.name}」已兑完`, 409)
    }
    const spent = await spendIn(tx, {
      memberId: input.memberId,
      amount: reward.pointsCost,
      sourceKey: `redeem:${input.memberId}:${input.requestId}`,
      reason: `兑换「${reward.name}」`,
      at,
    })
    const args = reward.args as { validDays?: number }
    const [redemption] = await tx
      .insert(redemptions)
      .values({
        memberId: input.memberId,
        rewardId: reward.id,
        requestId: input.requestId,
        points: reward.pointsCost,
        voucherCode: reward.kind === 'voucher' ? voucherCode() : null,
        expiresAt: args.validDays ? new Date(at.getTime() + args.validDays * 86_400_000) : null,
        createdAt: at,
      })
      .returning()
    return { redemption: redemption!, reward, balance: spent.balance, duplicate: false }
  })
}

/** Cancel an issued redemption: the points come back (as a new grant) and the stock is restored. */
export async function cancelRedemption(
  db: Db,
  redemptionId: number,
  reason: string,
  at: Date,
): Promise<Redemption> {
  const policy = await loadPointsPolicy(db)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(redemptions)
      .set({ status: 'cancelled', cancelledAt: at })
      .where(and(eq(redemptions.id, redemptionId), eq(redemptions.status, 'issued')))
      .returning()
    if (!row) throw new DomainError('redemption_not_cancellable', '该兑换记录不存在或已使用、已取消', 409)
    await tx
      .update(rewards)
      .set({ stock: sql`${rewards.stock} + 1` })
      .where(and(eq(rewards.id, row.rewardId), sql`${rewards.stock} is not null`))
    await grantPoints(tx, {
      memberId: row.memberId,
      amount: row.points,
      sourceKey: `redeem:${row.memberId}:${row.requestId}:cancel`,
      reason: `取消兑换退回积分：${reason}`,
      at,
      expiresAt: grantExpiry(policy, at),
      kind: 'adjust',
    })
    return row
  })
}

/** Mark a redemption used: a gift handed over or shipped, a voucher code honoured at checkout. */
export async function fulfilRedemption(
  db: Db,
  by: { id: number } | { voucherCode: string },
  at: Date,
): Promise<Redemption> {
  const where = 'id' in by ? eq(redemptions.id, by.id) : eq(redemptions.voucherCode, by.voucherCode)
  const [row] = await db.select().from(redemptions).where(where)
  if (!row) throw notFound('兑换记录', 'redemption_not_found')
  if (row.expiresAt && row.expiresAt <= at) throw new DomainError('redemption_expired', '该券已过期', 409)
  const [done] = await db
    .update(redemptions)
    .set({ status: 'fulfilled', fulfilledAt: at })
    .where(and(eq(redemptions.id, row.id), eq(redemptions.status, 'issued')))
    .returning()
  if (!done) throw new DomainError('redemption_not_issued', '该兑换已使用或已取消', 409)
  return done
}

export async function memberRedemptions(db: Db, memberId: number, limit = 50) {
  return db
    .select({
      redemption: redemptions,
      reward: { name: rewards.name, kind: rewards.kind, args: rewards.args },
    })
    .from(redemptions)
    .innerJoin(rewards, eq(rewards.id, redemptions.rewardId))
    .where(eq(redemptions.memberId, memberId))
    .orderBy(desc(redemptions.createdAt), desc(redemptions.id))
    .limit(limit)
}

export async function listRedemptions(
  db: Db,
  filter: { memberId?: number; rewardId?: number; status?: Redemption['status']; limit: number },
) {
  return db
    .select({
      redemption: redemptions,
      reward: { code: rewards.code, name: rewards.name, kind: rewards.kind },
    })
    .from(redemptions)
    .innerJoin(rewards, eq(rewards.id, redemptions.rewardId))
    .where(
      and(
        filter.memberId ? eq(redemptions.memberId, filter.memberId) : undefined,
        filter.rewardId ? eq(redemptions.rewardId, filter.rewardId) : undefined,
        filter.status ? eq(redemptions.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(redemptions.id))
    .limit(filter.limit)
}
