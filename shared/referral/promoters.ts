// Promoters (分销员): members or staff operators enrolled in distribution at a commission level.
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { conflict, DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { operators } from '../db/schema/auth'
import { promoterLevels, promoters, type Promoter, type PromoterLevel } from '../db/schema/referral'
import { storedRuleSchema } from './commission-rules'
import type { SharerRef } from './share-codes'

export const promoterLevelInputSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, '等级代码只能包含小写字母、数字和下划线'),
  name: z.string().trim().min(1).max(32),
  rank: z.number().int().min(1).max(100),
  tier1Rule: storedRuleSchema,
  tier2Rule: storedRuleSchema.nullable().default(null),
  isDefault: z.boolean().default(false),
})
export type PromoterLevelInput = z.input<typeof promoterLevelInputSchema>

/** Create or replace a level by code; making one the default clears the flag on the others. */
export async function savePromoterLevel(db: Db, input: PromoterLevelInput): Promise<PromoterLevel> {
  const level = promoterLevelInputSchema.parse(input)
  try {
    return await db.transaction(async (tx) => {
      if (level.isDefault)
        await tx.update(promoterLevels).set({ isDefault: false }).where(eq(promoterLevels.isDefault, true))
      const [row] = await tx
        .insert(promoterLevels)
        .values(level)
        .onConflictDoUpdate({
          target: promoterLevels.code,
          set: {
            name: level.name,
            rank: level.rank,
            tier1Rule: level.tier1Rule,
            tier2Rule: level.tier2Rule,
            isDefault: level.isDefault,
          },
        })
        .returning()
      return row!
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('level_rank_taken', `已有等级使用排序 ${level.rank}`)
    throw err
  }
}

export async function listPromoterLevels(db: Db): Promise<PromoterLevel[]> {
  return db.select().from(promoterLevels).orderBy(asc(promoterLevels.rank))
}

async function levelByCode(db: Db, code: string | undefined): Promise<PromoterLevel> {
  const [level] = await db
    .select()
    .from(promoterLevels)
    .where(code ? eq(promoterLevels.code, code) : eq(promoterLevels.isDefault, true))
  if (level) return level
  if (code) throw notFound('推广员等级', 'promoter_level_not_found')
  throw new DomainError('no_default_level', '尚未设置默认推广员等级', 409)
}

export async function promoterBySharer(db: Db, sharer: SharerRef): Promise<Promoter | null> {
  const [row] = await db
    .select()
    .from(promoters)
    .where(
      'memberId' in sharer
        ? eq(promoters.memberId, sharer.memberId)
        : eq(promoters.operatorId, sharer.operatorId),
    )
  return row ?? null
}

export async function getPromoter(db: Db, promoterId: number): Promise<Promoter> {
  const [row] = await db.select().from(promoters).where(eq(promoters.id, promoterId))
  if (!row) throw notFound('推广员', 'promoter_not_found')
  return row
}

/** Enrol a member or staff operator (idempotent: an existing promoter is returned unchanged). */
export async function enrolPromoter(
  db: Db,
  sharer: SharerRef,
  options: { levelCode?: string; at: Date },
): Promise<{ promoter: Promoter; created: boolean }> {
  const existing = await promoterBySharer(db, sharer)
  if (existing) return { promoter: existing, created: false }
  if ('memberId' in sharer) {
    const [m] = await db
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.id, sharer.memberId), isNull(members.mergedIntoId)))
    if (!m) throw notFound('会员', 'member_not_found')
  } else {
    const [o] = await db
      .select({ id: operators.id })
      .from(operators)
      .where(eq(operators.id, sharer.operatorId))
    if (!o) throw notFound('运营人员', 'operator_not_found')
  }
  const level = await levelByCode(db, options.levelCode)
  const [row] = await db
    .insert(promoters)
    .values({
      kind: 'memberId' in sharer ? 'member' : 'staff',
      memberId: 'memberId' in sharer ? sharer.memberId : null,
      operatorId: 'operatorId' in sharer ? sharer.operatorId : null,
      levelId: level.id,
      joinedAt: options.at,
    })
    .onConflictDoNothing()
    .returning()
  if (row) return { promoter: row, created: true }
  return { promoter: (await promoterBySharer(db, sharer))!, created: false }
}

export async function updatePromoter(
  db: Db,
  promoterId: number,
  changes: { levelCode?: string; status?: 'active' | 'suspended' },
): Promise<Promoter> {
  const levelId = changes.levelCode ? (await levelByCode(db, changes.levelCode)).id : undefined
  const [row] = await db
    .update(promoters)
    .set({ ...(levelId ? { levelId } : {}), ...(changes.status ? { status: changes.status } : {}) })
    .where(eq(promoters.id, promoterId))
    .returning()
  if (!row) throw notFound('推广员', 'promoter_not_found')
  return row
}

export const promoterSummarySchema = z.object({
  id: z.number().int(),
  kind: z.enum(['member', 'staff']),
  memberId: z.number().int().nullable(),
  operatorId: z.number().int().nullable(),
  displayName: z.string(),
  levelCode: z.string(),
  levelName: z.string(),
  status: z.enum(['active', 'suspended']),
  joinedAt: z.string(),
  frozenFen: z.number().int(),
  availableFen: z.number().int(),
  withdrawingFen: z.number().int(),
  withdrawnFen: z.number().int(),
  directReferrals: z.number().int(),
})
export type PromoterSummary = z.infer<typeof promoterSummarySchema>

/** Promoters with their level, balances and direct referrals, for the operators' list. */
export async function listPromoters(
  db: Db,
  filter: {
    status?: 'active' | 'suspended'
    kind?: 'member' | 'staff'
    limit?: number
    offset?: number
  } = {},
): Promise<PromoterSummary[]> {
  const rows = await db.execute(sql`
    select p.id, p.kind, p.member_id, p.operator_id, p.status, p.joined_at,
      coalesce(m.name, m.nickname, m.member_no, o.display_name) as display_name,
      l.code as level_code, l.name as level_name,
      coalesce(a.frozen_fen, 0) as frozen_fen, coalesce(a.available_fen, 0) as available_fen,
      coalesce(a.withdrawing_fen, 0) as withdrawing_fen, coalesce(a.withdrawn_fen, 0) as withdrawn_fen,
      (select count(*) from referrals r
        where (p.member_id is not null and r.referrer_id = p.member_id)
           or (p.operator_id is not null and r.referrer_operator_id = p.operator_id))::int as direct_referrals
    from promoters p
    join promoter_levels l on l.id = p.level_id
    left join members m on m.id = p.member_id
    left join operators o on o.id = p.operator_id
    left join commission_accounts a on a.promoter_id = p.id
    where (${filter.status ?? null}::text is null or p.status = ${filter.status ?? null})
      and (${filter.kind ?? null}::text is null or p.kind = ${filter.kind ?? null})
    order by p.id
    limit ${filter.limit ?? 50} offset ${filter.offset ?? 0}`)
  return (rows as unknown as { rows: Record<string, unknown>[] }).rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as 'member' | 'staff',
    memberId: r.member_id === null ? null : Number(r.member_id),
    operatorId: r.operator_id === null ? null : Number(r.operator_id),
    displayName: String(r.display_name ?? ''),
    levelCode: String(r.level_code),
    levelName: String(r.level_name),
    status: r.status as 'active' | 'suspended',
    joinedAt: new Date(r.joined_at as string).toISOString(),
    frozenFen: Number(r.frozen_fen),
    availableFen: Number(r.available_fen),
    withdrawingFen: Number(r.withdrawing_fen),
    withdrawnFen: Number(r.withdrawn_fen),
    directReferrals: Number(r.direct_referrals),
  }))
}
