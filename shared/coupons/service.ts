// Coupons: operators design templates; coupons are issued to members by operators, by points redemption
// or by campaigns — every issue keyed by its source, so a retried issue gives the same coupon — and are
// locked by an unpaid order, used when it is paid, and released when it is cancelled.
import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, DomainError, notFound } from '../errors'
import { spendIn } from '../points/ledger'
import {
  couponKinds,
  couponScopes,
  couponTemplates,
  memberCoupons,
  type CouponTemplate,
  type MemberCoupon,
} from '../db/schema/coupons'
import { orders } from '../db/schema/orders'
import type { CouponRule } from './rule'

export const couponTemplateInputSchema = z
  .object({
    name: z.string().trim().min(1).max(50),
    kind: z.enum(couponKinds),
    amountFen: z.number().int().min(0).max(10_000_000).default(0),
    percentOff: z.number().int().min(0).max(99).default(0),
    thresholdFen: z.number().int().min(0).max(100_000_000).default(0),
    maxDiscountFen: z.number().int().min(1).nullable().default(null),
    scope: z.enum(couponScopes).default('all'),
    scopeIds: z.array(z.number().int().positive()).max(200).default([]),
    validFrom: z.coerce.date().nullable().default(null),
    validUntil: z.coerce.date().nullable().default(null),
    validDays: z.number().int().min(1).max(3650).nullable().default(null),
    totalQuantity: z.number().int().min(1).nullable().default(null),
    perMemberLimit: z.number().int().min(1).max(100).default(1),
    pointsCost: z.number().int().min(1).nullable().default(null),
  })
  .superRefine((t, ctx) => {
    if (t.kind !== 'percentage' && t.amountFen < 1)
      ctx.addIssue({ code: 'custom', path: ['amountFen'], message: '优惠金额必须大于 0' })
    if (t.kind === 'percentage' && t.percentOff < 1)
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: '折扣必须在 1% 到 99% 之间' })
    if (t.kind === 'threshold' && t.thresholdFen <= t.amountFen)
      ctx.addIssue({ code: 'custom', path: ['thresholdFen'], message: '满减门槛必须高于优惠金额' })
    if (t.scope !== 'all' && t.scopeIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['scopeIds'], message: '请选择适用的分类或商品' })
    if (!t.validDays && !t.validUntil)
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: '请设置有效期（截止日期或领取后天数）' })
  })
export type CouponTemplateInput = z.input<typeof couponTemplateInputSchema>

export async function createCouponTemplate(db: Db, input: CouponTemplateInput): Promise<CouponTemplate> {
  const [t] = await db.insert(couponTemplates).values(couponTemplateInputSchema.parse(input)).returning()
  return t!
}

export async function setCouponTemplateStatus(db: Db, id: number, status: 'active' | 'disabled') {
  const [t] = await db.update(couponTemplates).set({ status }).where(eq(couponTemplates.id, id)).returning()
  if (!t) throw notFound('优惠券模板', 'coupon_template_not_found')
  return t
}

export async function listCouponTemplates(db: Db, filter: { redeemable?: boolean } = {}) {
  return db
    .select()
    .from(couponTemplates)
    .where(
      filter.redeemable
        ? and(eq(couponTemplates.status, 'active'), sql`${couponTemplates.pointsCost} is not null`)
        : undefined,
    )
    .orderBy(desc(couponTemplates.id))
}

export const ruleOf = (t: CouponTemplate): CouponRule => ({
  kind: t.kind,
  amountFen: t.amountFen,
  percentOff: t.percentOff,
  thresholdFen: t.thresholdFen,
  maxDiscountFen: t.maxDiscountFen,
  scope: t.scope,
  scopeIds: t.scopeIds,
})

export interface IssueInput {
  templateId: number
  memberId: number
  /** Unique per issue: a retried issue with the same key returns the coupon issued the first time. */
  sourceKey: string
  /** operator, points, campaign, group_buy, … (defaults to the key's prefix). */
  source?: string
  at?: Date
}

/**
 * Issue a coupon once per source key. Refuses (409) a disabled or ended template, one whose total is
 * used up, or a member already holding the per-member limit. Safe under concurrency: issues of one
 * template are serialised on the template row.
 */
export async function issueCoupon(
  db: Db,
  input: IssueInput,
): Promise<{ coupon: MemberCoupon; duplicate: boolean }> {
  const at = input.at ?? new Date()
  return db.transaction(async (tx) => {
    const [prior] = await tx.select().from(memberCoupons).where(eq(memberCoupons.sourceKey, input.sourceKey))
    if (prior) return { coupon: prior, duplicate: true }
    const [found] = await tx.select().from(couponTemplates).where(eq(couponTemplates.id, input.templateId))
    if (!found) throw notFound('优惠券', 'coupon_template_not_found')
    if (found.status !== 'active') throw conflict('coupon_template_disabled', '该优惠券已停止发放')
    // Count the issue on the template row (this also serialises issues of one template).
    const [template] = await tx
      .update(couponTemplates)
      .set({ issuedCount: sql`${couponTemplates.issuedCount} + 1` })
      .where(
        and(
          eq(couponTemplates.id, input.templateId),
          sql`(${couponTemplates.totalQuantity} is null or ${couponTemplates.issuedCount} < ${couponTemplates.totalQuantity})`,
        ),
      )
      .returning()
    if (!template) throw conflict('coupon_sold_out', '优惠券已发完')
    if (template.validUntil && template.validUntil <= at)
      throw conflict('coupon_template_ended', '该优惠券已过期')
    const [held] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(memberCoupons)
      .where(and(eq(memberCoupons.templateId, template.id), eq(memberCoupons.memberId, input.memberId)))
    if (held!.n >= template.perMemberLimit) throw conflict('coupon_limit_reached', '已达到该优惠券的领取上限')
    const validFrom = template.validFrom && template.validFrom > at ? template.validFrom : at
    const byDays = template.validDays ? new Date(at.getTime() + template.validDays * 86_400_000) : null
    const validUntil =
      byDays && template.validUntil
        ? byDays < template.validUntil
          ? byDays
          : template.validUntil
        : (byDays ?? template.validUntil!)
    const [coupon] = await tx
      .insert(memberCoupons)
      .values({
        templateId: template.id,
        memberId: input.memberId,
        sourceKey: input.sourceKey,
        source: input.source ?? input.sourceKey.split(':')[0]!,
        validFrom,
        validUntil,
        createdAt: at,
      })
      .returning()
    return { coupon: coupon!, duplicate: false }
  })
}

/** A member buys a coupon with points: the points and the coupon move together, once per request id. */
export async function redeemCouponWithPoints(
  db: Db,
  input: { memberId: number; templateId: number; requestId: string; at: Date },
): Promise<{ coupon: MemberCoupon; duplicate: boolean; balance?: number }> {
  const sourceKey = `points:${input.memberId}:${input.requestId}`
  return db.transaction(async (tx) => {
    const [t] = await tx.select().from(couponTemplates).where(eq(couponTemplates.id, input.templateId))
    if (!t || t.pointsCost === null) throw notFound('可兑换的优惠券', 'coupon_not_redeemable')
    const issued = await issueCoupon(tx as unknown as Db, {
      templateId: t.id,
      memberId: input.memberId,
      sourceKey,
      source: 'points',
      at: input.at,
    })
    if (issued.duplicate) return issued
    const spent = await spendIn(tx, {
      memberId: input.memberId,
      amount: t.pointsCost,
      sourceKey: `coupon:${issued.coupon.id}:redeem`,
      reason: `积分兑换优惠券「${t.name}」`,
      at: input.at,
    })
    return { ...issued, balance: spent.balance }
  })
}

export interface CouponView {
  id: number
  templateId: number
  name: string
  kind: string
  amountFen: number
  percentOff: number
  thresholdFen: number
  status: string
  validFrom: string
  validUntil: string
}

export async function listMemberCoupons(
  db: Db,
  memberId: number,
  at: Date,
  status?: 'available' | 'used' | 'expired',
) {
  const rows = await db
    .select({ c: memberCoupons, t: couponTemplates })
    .from(memberCoupons)
    .innerJoin(couponTemplates, eq(couponTemplates.id, memberCoupons.templateId))
    .where(eq(memberCoupons.memberId, memberId))
    .orderBy(desc(memberCoupons.id))
  return rows
    .map(({ c, t }): CouponView => ({
      id: c.id,
      templateId: t.id,
      name: t.name,
      kind: t.kind,
      amountFen: t.amountFen,
      percentOff: t.percentOff,
      thresholdFen: t.thresholdFen,
      status: c.status === 'available' && c.validUntil <= at ? 'expired' : c.status,
      validFrom: c.validFrom.toISOString(),
      validUntil: c.validUntil.toISOString(),
    }))
    .filter((v) => !status || v.status === status)
}

/** A member's coupon usable now, with its rule (checkout). */
export async function usableCoupon(db: Db, memberId: number, couponId: number, at: Date) {
  const [row] = await db
    .select({ c: memberCoupons, t: couponTemplates })
    .from(memberCoupons)
    .innerJoin(couponTemplates, eq(couponTemplates.id, memberCoupons.templateId))
    .where(
      and(
        eq(memberCoupons.id, couponId),
        eq(memberCoupons.memberId, memberId),
        eq(memberCoupons.status, 'available'),
        lte(memberCoupons.validFrom, at),
        gt(memberCoupons.validUntil, at),
      ),
    )
  if (!row)
    throw new DomainError('coupon_unusable', '优惠券不可用（已使用、已过期或不属于你）', 409, [
      { path: 'couponId', message: '优惠券不可用' },
    ])
  return { coupon: row.c, rule: ruleOf(row.t) }
}

/** Hold the coupon for an unpaid order; false when someone else took it first. */
export async function lockCoupon(db: Db, couponId: number, orderId: number): Promise<boolean> {
  const rows = await db
    .update(memberCoupons)
    .set({ status: 'locked', orderId })
    .where(and(eq(memberCoupons.id, couponId), eq(memberCoupons.status, 'available')))
    .returning({ id: memberCoupons.id })
  return rows.length === 1
}

export async function useLockedCoupons(db: Db, orderId: number, at: Date): Promise<void> {
  await db
    .update(memberCoupons)
    .set({ status: 'used', usedAt: at })
    .where(and(eq(memberCoupons.orderId, orderId), eq(memberCoupons.status, 'locked')))
}

export async function releaseCoupons(db: Db, orderId: number): Promise<void> {
  await db
    .update(memberCoupons)
    .set({ status: 'available', orderId: null })
    .where(and(eq(memberCoupons.orderId, orderId), inArray(memberCoupons.status, ['locked'])))
}

export const couponUsageSchema = z.object({
  templateId: z.number().int(),
  issued: z.number().int(),
  /** Held and still valid. */
  available: z.number().int(),
  /** Held by an order not yet paid. */
  locked: z.number().int(),
  used: z.number().int(),
  /** Past their end unused (marked or not yet marked by the nightly pass), or revoked. */
  expired: z.number().int(),
  /** used ÷ issued, null before any issue. */
  useRate: z.number().nullable(),
  /** What the coupon took off, and what members paid, on the orders that used it. */
  discountFen: z.number().int(),
  orderPayFen: z.number().int(),
  /** Issues by source: operator, points, campaign… */
  bySource: z.array(z.object({ source: z.string(), issued: z.number().int() })),
})

/** How one template's coupons were used: counts by state, the orders that used them, issues by source. */
export async function couponUsage(
  db: Db,
  templateId: number,
  at: Date,
): Promise<z.infer<typeof couponUsageSchema>> {
  const [t] = await db
    .select({ id: couponTemplates.id })
    .from(couponTemplates)
    .where(eq(couponTemplates.id, templateId))
  if (!t) throw notFound('优惠券', 'coupon_template_not_found')
  const [counts] = await db
    .select({
      issued: sql<number>`count(*)::int`,
      available: sql<number>`(count(*) filter (where ${memberCoupons.status} = 'available' and ${memberCoupons.validUntil} > ${at}))::int`,
      locked: sql<number>`(count(*) filter (where ${memberCoupons.status} = 'locked'))::int`,
      used: sql<number>`(count(*) filter (where ${memberCoupons.status} = 'used'))::int`,
      expired: sql<number>`(count(*) filter (where ${memberCoupons.status} in ('expired', 'revoked') or (${memberCoupons.status} = 'available' and ${memberCoupons.validUntil} <= ${at})))::int`,
    })
    .from(memberCoupons)
    .where(eq(memberCoupons.templateId, templateId))
  const [money] = await db
    .select({
      discountFen: sql<number>`coalesce(sum(${orders.discountFen}), 0)::int`,
      orderPayFen: sql<number>`coalesce(sum(${orders.payFen}), 0)::int`,
    })
    .from(orders)
    .where(
      sql`${orders.id} in (select ${memberCoupons.orderId} from ${memberCoupons}
        where ${memberCoupons.templateId} = ${templateId} and ${memberCoupons.status} = 'used')`,
    )
  const bySource = await db
    .select({ source: memberCoupons.source, issued: sql<number>`count(*)::int` })
    .from(memberCoupons)
    .where(eq(memberCoupons.templateId, templateId))
    .groupBy(memberCoupons.source)
    .orderBy(memberCoupons.source)
  const c = counts!
  return {
    templateId,
    ...c,
    useRate: c.issued ? c.used / c.issued : null,
    discountFen: money!.discountFen,
    orderPayFen: money!.orderPayFen,
    bySource,
  }
}
