// Ladders as operators see and edit them (levels, fees, thresholds, multipliers, benefits, rules in
// force and scheduled), a member's current levels, and an operator's manual move of a member.
import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { recordMemberEvent } from '../members/events'
import {
  benefits,
  memberTierHeldAt,
  memberTiers,
  tierChanges,
  tierLadders,
  tierLevels,
  tierRuleSets,
  type LevelBenefit,
} from '../db/schema/loyalty'
import { addMonths } from './rules'
import { loadLadder, ruleSetInForce } from './evaluation'

export async function listLadders(db: Db, at: Date) {
  const ladders = await db.select().from(tierLadders).orderBy(asc(tierLadders.id))
  const levels = await db.select().from(tierLevels).orderBy(asc(tierLevels.ladderId), asc(tierLevels.rank))
  const holders = await db
    .select({ levelId: memberTiers.levelId, n: count() })
    .from(memberTiers)
    .where(memberTierHeldAt(at))
    .groupBy(memberTiers.levelId)
  const held = new Map(holders.map((h) => [h.levelId, h.n]))
  const scheduled = await db
    .select()
    .from(tierRuleSets)
    .where(and(gt(tierRuleSets.effectiveAt, at), isNull(tierRuleSets.cancelledAt)))
    .orderBy(asc(tierRuleSets.effectiveAt))
  const out = []
  for (const ladder of ladders) {
    const inForce = await ruleSetInForce(db, ladder.id, at)
    out.push({
      code: ladder.code,
      name: ladder.name,
      kind: ladder.kind,
      basis: ladder.basis,
      periodMonths: ladder.periodMonths,
      levels: levels
        .filter((l) => l.ladderId === ladder.id)
        .map((l) => ({
          code: l.code,
          name: l.name,
          rank: l.rank,
          annualFeeFen: l.annualFeeFen,
          threshold: l.threshold,
          pointsMultiplierPct: l.pointsMultiplierPct,
          benefits: l.benefits,
          holders: held.get(l.id) ?? 0,
        })),
      rules: inForce
        ? { id: inForce.id, rules: inForce.rules, effectiveAt: inForce.effectiveAt.toISOString() }
        : null,
      scheduled: scheduled
        .filter((s) => s.ladderId === ladder.id)
        .map((s) => ({ id: s.id, rules: s.rules, effectiveAt: s.effectiveAt.toISOString(), note: s.note })),
    })
  }
  return out
}

export const levelBenefitSchema = z.object({
  code: z.string().min(1).max(64),
  quota: z.number().int().min(1).max(10_000).optional(),
})

export const levelPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(32),
    annualFeeFen: z.number().int().min(0).max(100_000_00),
    threshold: z.number().int().min(0),
    pointsMultiplierPct: z.number().int().min(1).max(1000),
    benefits: z.array(levelBenefitSchema).max(30),
  })
  .partial()
export type LevelPatch = z.infer<typeof levelPatchSchema>

/** Change a level's fee, threshold, points multiplier or benefits (benefit codes must exist). */
export async function updateLevel(db: Db, ladderCode: string, levelCode: string, patch: LevelPatch) {
  const lad = await loadLadder(db, ladderCode)
  const level = lad.levels.find((l) => l.code === levelCode)
  if (!level) throw notFound('等级', 'level_not_found')
  if (patch.benefits?.length) {
    const codes = [...new Set(patch.benefits.map((b) => b.code))]
    const known = await db.select({ code: benefits.code }).from(benefits).where(inArray(benefits.code, codes))
    const missing = codes.filter((c) => !known.some((k) => k.code === c))
    if (missing.length)
      throw new DomainError(
        'benefit_not_found',
        `权益不存在：${missing.join('、')}`,
        400,
        missing.map((c) => ({ path: 'benefits', message: `权益「${c}」不存在` })),
      )
  }
  const [row] = await db
    .update(tierLevels)
    .set({ ...patch, ...(patch.benefits ? { benefits: patch.benefits as LevelBenefit[] } : {}) })
    .where(eq(tierLevels.id, level.id))
    .returning()
  return row!
}

export interface HeldLevel {
  ladder: string
  ladderName: string
  ladderKind: 'vertical' | 'horizontal'
  levelId: number
  level: string
  levelName: string
  rank: number
  pointsMultiplierPct: number
  benefits: LevelBenefit[]
  startsAt: Date
  endsAt: Date | null
}

/** The levels a member holds at `at` (one per ladder, any number of cards). */
export async function memberLevels(db: Db, memberId: number, at: Date): Promise<HeldLevel[]> {
  return db
    .select({
      ladder: tierLadders.code,
      ladderName: tierLadders.name,
      ladderKind: tierLadders.kind,
      levelId: tierLevels.id,
      level: tierLevels.code,
      levelName: tierLevels.name,
      rank: tierLevels.rank,
      pointsMultiplierPct: tierLevels.pointsMultiplierPct,
      benefits: tierLevels.benefits,
      startsAt: memberTiers.startsAt,
      endsAt: memberTiers.endsAt,
    })
    .from(memberTiers)
    .innerJoin(tierLevels, eq(tierLevels.id, memberTiers.levelId))
    .innerJoin(tierLadders, eq(tierLadders.id, memberTiers.ladderId))
    .where(and(eq(memberTiers.memberId, memberId), memberTierHeldAt(at)))
    .orderBy(asc(tierLadders.id))
}

/** An operator puts a member on a level (or removes them from the ladder, levelCode null). */
export async function setMemberLevel(
  db: Db,
  input: {
    memberId: number
    ladderCode: string
    levelCode: string | null
    reason: string
    endsAt?: Date | null
  },
  at: Date,
) {
  const lad = await loadLadder(db, input.ladderCode)
  const level = input.levelCode === null ? null : lad.levels.find((l) => l.code === input.levelCode)
  if (level === undefined) throw notFound('等级', 'level_not_found')
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`tier:${input.memberId}:${lad.ladder.id}`}, 0))`,
    )
    const where = and(eq(memberTiers.memberId, input.memberId), eq(memberTiers.ladderId, lad.ladder.id))
    const [before] = await tx.select().from(memberTiers).where(where)
    const endsAt = input.endsAt === undefined ? addMonths(at, lad.ladder.periodMonths) : input.endsAt
    if (!level) await tx.delete(memberTiers).where(where)
    else if (before)
      await tx
        .update(memberTiers)
        .set({ levelId: level.id, startsAt: at, endsAt, source: 'manual' })
        .where(where)
    else
      await tx.insert(memberTiers).values({
        memberId: input.memberId,
        ladderId: lad.ladder.id,
        levelId: level.id,
        startsAt: at,
        endsAt,
        source: 'manual',
      })
    const [change] = await tx
      .insert(tierChanges)
      .values({
        memberId: input.memberId,
        ladderId: lad.ladder.id,
        kind: 'manual',
        fromLevelId: before?.levelId ?? null,
        toLevelId: level?.id ?? null,
        reason: input.reason,
        endsAt: level ? endsAt : null,
        at,
      })
      .returning()
    await recordMemberEvent(tx, {
      memberId: input.memberId,
      type: 'tier_changed',
      occurredAt: at,
      sourceKey: `tier_change:${change!.id}`,
      payload: { ladder: lad.ladder.code, kind: 'manual', to: level?.name ?? null, reason: input.reason },
    })
    return change!
  })
}
