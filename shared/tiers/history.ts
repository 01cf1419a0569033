// Reading tier history: a member's levels and moves, and the advance notices of scheduled changes.
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { getMember } from '../members/profile'
import { tierChangeNotices, tierChanges, tierLevels } from '../db/schema/loyalty'
import { memberLevels } from './ladders'
import { loadLadder } from './evaluation'

export async function memberTierHistory(db: Db, memberId: number, at: Date) {
  await getMember(db, memberId)
  const levels = await memberLevels(db, memberId, at)
  const history = await db
    .select({
      kind: tierChanges.kind,
      toLevel: tierLevels.name,
      ruleCode: tierChanges.ruleCode,
      reason: tierChanges.reason,
      at: tierChanges.at,
      endsAt: tierChanges.endsAt,
    })
    .from(tierChanges)
    .leftJoin(tierLevels, eq(tierLevels.id, tierChanges.toLevelId))
    .where(eq(tierChanges.memberId, memberId))
    .orderBy(desc(tierChanges.at), desc(tierChanges.id))
    .limit(100)
  return { levels, history }
}

/** Advance notices of a ladder's scheduled rule changes (those not yet delivered, or all). */
export async function tierNotices(
  db: Db,
  ladderCode: string,
  options: { pendingOnly: boolean; limit: number },
) {
  const { ladder } = await loadLadder(db, ladderCode)
  return db
    .select({
      id: tierChangeNotices.id,
      ruleSetId: tierChangeNotices.ruleSetId,
      memberId: tierChangeNotices.memberId,
      currentOutcome: tierChangeNotices.currentOutcome,
      newOutcome: tierChangeNotices.newOutcome,
      effectiveAt: tierChangeNotices.effectiveAt,
      message: tierChangeNotices.message,
      deliveredAt: tierChangeNotices.deliveredAt,
    })
    .from(tierChangeNotices)
    .where(
      and(
        eq(tierChangeNotices.ladderId, ladder.id),
        options.pendingOnly ? isNull(tierChangeNotices.deliveredAt) : undefined,
      ),
    )
    .orderBy(desc(tierChangeNotices.id))
    .limit(options.limit)
}

/** For the campaign mechanism: mark notices delivered once sent. */
export async function markNoticesDelivered(db: Db, ids: number[], at: Date): Promise<number> {
  if (ids.length === 0) return 0
  const rows = await db
    .update(tierChangeNotices)
    .set({ deliveredAt: at })
    .where(
      and(
        isNull(tierChangeNotices.deliveredAt),
        sql`${tierChangeNotices.id} = any(${`{${ids.join(',')}}`}::bigint[])`,
      ),
    )
    .returning({ id: tierChangeNotices.id })
  return rows.length
}
