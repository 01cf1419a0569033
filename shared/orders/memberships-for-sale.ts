// Paid memberships the store sells: a level of a paid ladder with an annual fee. Checkout uses the same
// rule to accept a membership order, and the mini-program lists what it returns.
import { and, asc, eq, gt } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { tierLadders, tierLevels } from '../db/schema/loyalty'

/** Whether a level can be bought as a paid membership. */
export const membershipForSale = (ladder: { basis: string }, level: { annualFeeFen: number }): boolean =>
  ladder.basis === 'paid' && level.annualFeeFen > 0

export const membershipForSaleSchema = z.object({
  levelId: z.number(),
  ladder: z.string(),
  ladderName: z.string(),
  level: z.string(),
  levelName: z.string(),
  annualFeeFen: z.number(),
  periodMonths: z.number(),
  pointsMultiplierPct: z.number(),
})

export async function listMembershipsForSale(db: Db): Promise<z.infer<typeof membershipForSaleSchema>[]> {
  const rows = await db
    .select({ level: tierLevels, ladder: tierLadders })
    .from(tierLevels)
    .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
    .where(and(eq(tierLadders.basis, 'paid'), gt(tierLevels.annualFeeFen, 0)))
    .orderBy(asc(tierLadders.id), asc(tierLevels.rank))
  return rows
    .filter((r) => membershipForSale(r.ladder, r.level))
    .map((r) => ({
      levelId: r.level.id,
      ladder: r.ladder.code,
      ladderName: r.ladder.name,
      level: r.level.code,
      levelName: r.level.name,
      annualFeeFen: r.level.annualFeeFen,
      periodMonths: r.ladder.periodMonths,
      pointsMultiplierPct: r.level.pointsMultiplierPct,
    }))
}
