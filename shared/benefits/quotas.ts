// Benefits: what a level grants (member price, quotas per period, a birthday gift, a pass a friend can
// use), each use recorded against the holder's quota for the period and refused once it is used up.
import { createRequire } from 'node:module'
import { and, asc, count, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { SHANGHAI_OFFSET_MS, shanghaiDate } from '../clock'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { findMemberByIdentity } from '../members/identity'
import { members } from '../db/schema/members'
import { benefits, benefitUsages, type Benefit, type BenefitKind } from '../db/schema/loyalty'
import { memberLevels, type HeldLevel } from '../tiers/ladders'
import { grantPoints } from '../points/ledger'
import { grantExpiry, loadPointsPolicy } from '../points/policy'

const quotaPeriod = z.enum(['year', 'month', 'tier_period'])

export const benefitArgsSchemas = {
  member_price: z.object({ discountPct: z.number().int().min(1).max(99) }),
  quota: z.object({ period: quotaPeriod, defaultQuota: z.number().int().min(1).max(10_000) }),
  birthday_gift: z.object({ points: z.number().int().min(1).max(1_000_000) }),
  friend_pass: z.object({ period: quotaPeriod, defaultQuota: z.number().int().min(1).max(10_000) }),
} satisfies Record<BenefitKind, z.ZodType>

export const benefitInputSchema = z.discriminatedUnion('kind', [
  ...(Object.keys(benefitArgsSchemas) as BenefitKind[]).map((kind) =>
    z.object({
      code: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, '编码只能包含小写字母、数字和下划线'),
      name: z.string().trim().min(1).max(32),
      description: z.string().max(500).optional(),
      kind: z.literal(kind),
      args: benefitArgsSchemas[kind],
    }),
  ),
] as unknown as [z.ZodObject, ...z.ZodObject[]])
export type BenefitInput = {
  code: string
  name: string
  description?: string
  kind: BenefitKind
  args: Record<string, unknown>
}

export async function createBenefit(db: Db, input: BenefitInput): Promise<Benefit> {
  const parsed = benefitInputSchema.parse(input) as BenefitInput
  try {
    const [row] = await db.insert(benefits).values(parsed).returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('benefit_code_taken', `权益编码「${input.code}」已存在`, 409)
    throw err
  }
}

export const listBenefits = (db: Db) => db.select().from(benefits).orderBy(asc(benefits.id))

interface QuotaArgs {
  period: 'year' | 'month' | 'tier_period'
  defaultQuota: number
}

/** Pure: the quota period a use at `at` counts against. */
export function quotaPeriodKey(period: QuotaArgs['period'], at: Date, levelStartsAt: Date): string {
  const day = shanghaiDate(at)
  if (period === 'year') return day.slice(0, 4)
  if (period === 'month') return day.slice(0, 7)
  return `period:${shanghaiDate(levelStartsAt)}`
}

const periodName = { year: '本年度', month: '本月', tier_period: '本会员周期' } as const

export interface HeldBenefit {
  code: string
  name: string
  kind: BenefitKind
  description: string | null
  /** The level that grants it (the most generous one when several do). */
  level: string
  args: Record<string, unknown>
  quota: number | null
  used: number | null
  remaining: number | null
  periodKey: string | null
}

/** The benefits a member holds at `at` through their levels, with quota use in the current period. */
export async function memberBenefits(db: Db, memberId: number, at: Date): Promise<HeldBenefit[]> {
  const levels = await memberLevels(db, memberId, at)
  return benefitsOfLevels(db, memberId, levels, at)
}

/** The benefits the given levels (held by the member) grant, with quota use in the current period. */
export async function benefitsOfLevels(
  db: Db,
  memberId: number,
  levels: HeldLevel[],
  at: Date,
): Promise<HeldBenefit[]> {
  const grants = levels.flatMap((l) => l.benefits.map((b) => ({ ...b, level: l })))
  if (grants.length === 0) return []
  const defs = await db
    .select()
    .from(benefits)
    .where(sql`${benefits.code} = any(${`{${[...new Set(grants.map((g) => g.code))].join(',')}}`}::text[])`)
  const out: HeldBenefit[] = []
  for (const def of defs) {
    const mine = grants.filter((g) => g.code === def.code)
    const quotaLike = def.kind === 'quota' || def.kind === 'friend_pass'
    const args = def.args as Record<string, unknown>
    const best = mine.reduce((a, b) =>
      (b.quota ?? (args.defaultQuota as number) ?? 0) > (a.quota ?? (args.defaultQuota as number) ?? 0)
        ? b
        : a,
    )
    let quota: number | null = null
    let used: number | null = null
    let periodKey: string | null = null
    if (quotaLike) {
      const q = args as unknown as QuotaArgs
      quota = best.quota ?? q.defaultQuota
      periodKey = quotaPeriodKey(q.period, at, best.level.startsAt)
      const [row] = await db
        .select({ n: count() })
        .from(benefitUsages)
        .where(
          and(
            eq(benefitUsages.memberId, memberId),
            eq(benefitUsages.benefitId, def.id),
            eq(benefitUsages.periodKey, periodKey),
          ),
        )
      used = row!.n
    }
    out.push({
      code: def.code,
      name: def.name,
      kind: def.kind,
      description: def.description,
      level: best.level.levelName,
      args,
      quota,
      used,
      remaining: quota === null ? null : Math.max(0, quota - used!),
      periodKey,
    })
  }
  return out
}

/** The member price the store applies: the best discount among the member's levels (95 = 5% off). */
export async function memberDiscountPct(db: Db, memberId: number, at: Date): Promise<number | null> {
  const held = await memberBenefits(db, memberId, at)
  const pcts = held.filter((b) => b.kind === 'member_price').map((b) => b.args.discountPct as number)
  return pcts.length ? Math.min(...pcts) : null
}

export interface BenefitUseInput {
  memberId: number
  benefitCode: string
  /** Idempotency: a retried request records one use. */
  requestId: string
  /** For a benefit a friend uses: the friend's phone (they must be a member). */
  friendPhone?: string
  operatorId?: number
  note?: string
}

/** Record one use of a quota benefit, refused with a 409 once the period's quota is used up. */
export async function useBenefit(db: Db, input: BenefitUseInput, at: Date) {
  const [def] = await db.select().from(benefits).where(eq(benefits.code, input.benefitCode))
  if (!def) throw notFound('权益', 'benefit_not_found')
  if (def.kind !== 'quota' && def.kind !== 'friend_pass')
    throw new DomainError('benefit_not_countable', `「${def.name}」无需核销`, 400)
  const held = (await memberBenefits(db, input.memberId, at)).find((b) => b.code === def.code)
  if (!held) throw new DomainError('benefit_not_held', `当前会员等级不包含「${def.name}」权益`, 403)
  let friendMemberId: number | null = null
  if (def.kind === 'friend_pass') {
    if (!input.friendPhone)
      throw new DomainError('friend_required', '请填写使用该权益的好友手机号', 400, [
        { path: 'friendPhone', message: '请填写好友手机号' },
      ])
    const friend = await findMemberByIdentity(db, { kind: 'phone', value: input.friendPhone })
    if (!friend) throw new DomainError('friend_not_member', '该好友还不是会员，请先邀请注册', 404)
    if (friend.id === input.memberId)
      throw new DomainError('friend_is_self', '亲友权益需由好友本人使用', 400, [
        { path: 'friendPhone', message: '不能填写自己的手机号' },
      ])
    friendMemberId = friend.id
  }
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`benefit:${input.memberId}:${def.id}`}, 0))`,
    )
    const [prior] = await tx
      .select()
      .from(benefitUsages)
      .where(and(eq(benefitUsages.memberId, input.memberId), eq(benefitUsages.requestId, input.requestId)))
    if (prior) return { usage: prior, duplicate: true, quota: held.quota!, used: held.used! }
    const [row] = await tx
      .select({ n: count() })
      .from(benefitUsages)
      .where(
        and(
          eq(benefitUsages.memberId, input.memberId),
          eq(benefitUsages.benefitId, def.id),
          eq(benefitUsages.periodKey, held.periodKey!),
        ),
      )
    const used = row!.n
    const period = periodName[(def.args as unknown as QuotaArgs).period]
    if (used >= held.quota!)
      throw new DomainError(
        'benefit_quota_exhausted',
        `「${def.name}」${period}次数已用完（${used}/${held.quota}）`,
        409,
      )
    const [usage] = await tx
      .insert(benefitUsages)
      .values({
        memberId: input.memberId,
        benefitId: def.id,
        periodKey: held.periodKey!,
        requestId: input.requestId,
        friendMemberId,
        operatorId: input.operatorId,
        note: input.note,
        usedAt: at,
      })
      .returning()
    return { usage: usage!, duplicate: false, quota: held.quota!, used: used + 1 }
  })
}

// lunar-javascript ships no types: the little of it used here, typed locally.
interface LunarLib {
  Lunar: { fromYmd(y: number, m: number, d: number): { getSolar(): { toYmd(): string } } }
}
const lunarLib = createRequire(import.meta.url)('lunar-javascript') as LunarLib

/** Pure: the solar date (YYYY-MM-DD) of a birthday in a given year, for solar or lunar birthdays. */
export function birthdayIn(year: number, birthday: string, calendar: 'solar' | 'lunar'): string | null {
  const [, m, d] = birthday.split('-').map(Number) as [number, number, number]
  if (calendar === 'lunar') {
    try {
      return lunarLib.Lunar.fromYmd(year, m, Math.min(d, 29)).getSolar().toYmd()
    } catch {
      return null
    }
  }
  // 29 February in a common year: celebrated on 28 February.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const day = m === 2 && d === 29 && !leap ? 28 : d
  return `${year}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/**
 * Birthday gifts for today (Asia/Shanghai): every member whose birthday it is and who holds a level
 * with a birthday gift gets its points, once a year.
 */
export async function grantBirthdayGifts(db: Db, at: Date): Promise<{ members: number; points: number }> {
  const today = shanghaiDate(at)
  const year = Number(today.slice(0, 4))
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS)
  const md = (local.getUTCMonth() + 1) * 100 + local.getUTCDate()
  const candidates = await db
    .select({ id: members.id, birthday: members.birthday, calendar: members.birthdayCalendar })
    .from(members)
    .where(
      sql`${members.mergedIntoId} is null and ${members.birthday} is not null and (
        ${members.birthdayCalendar} = 'lunar'
        or ((extract(month from ${members.birthday}) * 100 + extract(day from ${members.birthday}))::int) in (${md}, ${md === 228 ? 229 : md}))`,
    )
  const policy = await loadPointsPolicy(db)
  let granted = 0
  let points = 0
  for (const c of candidates) {
    if (birthdayIn(year, c.birthday!, c.calendar) !== today) continue
    const gift = (await memberBenefits(db, c.id, at))
      .filter((b) => b.kind === 'birthday_gift')
      .sort((a, b) => (b.args.points as number) - (a.args.points as number))[0]
    if (!gift) continue
    const r = await grantPoints(db, {
      memberId: c.id,
      amount: gift.args.points as number,
      sourceKey: `birthday:${c.id}:${year}`,
      reason: `${gift.name}：生日快乐！`,
      at,
      expiresAt: grantExpiry(policy, at),
    })
    if (!r.duplicate) {
      granted++
      points += r.entry.amount
    }
  }
  return { members: granted, points }
}
