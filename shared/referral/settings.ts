// The referral programme's settings: one row, read by attribution, commission and the reports.
import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { referralSettings } from '../db/schema/referral'

export const referralSettingsSchema = z.object({
  attributionWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365),
  orderWindowDays: z.number().int().min(0).max(3650),
  returnWindowDays: z.number().int().min(0).max(365),
  commissionTiers: z.union([z.literal(1), z.literal(2)]),
  minWithdrawalFen: z.number().int().min(1).max(100_000_000),
  superCommunicatorThreshold: z.number().int().min(1).max(100_000),
  openEnrolment: z.boolean(),
})
export type ReferralSettings = z.infer<typeof referralSettingsSchema>

export const defaultReferralSettings: ReferralSettings = {
  attributionWindowHours: 72,
  orderWindowDays: 30,
  returnWindowDays: 15,
  commissionTiers: 2,
  minWithdrawalFen: 100,
  superCommunicatorThreshold: 10,
  openEnrolment: true,
}

export async function getReferralSettings(db: Db): Promise<ReferralSettings> {
  const [row] = await db.select().from(referralSettings).where(eq(referralSettings.id, 1))
  if (!row) return { ...defaultReferralSettings }
  return {
    attributionWindowHours: row.attributionWindowHours,
    orderWindowDays: row.orderWindowDays,
    returnWindowDays: row.returnWindowDays,
    commissionTiers: row.commissionTiers === 1 ? 1 : 2,
    minWithdrawalFen: row.minWithdrawalFen,
    superCommunicatorThreshold: row.superCommunicatorThreshold,
    openEnrolment: row.openEnrolment,
  }
}

export async function updateReferralSettings(
  db: Db,
  changes: Partial<ReferralSettings>,
  at: Date,
): Promise<ReferralSettings> {
  const next = referralSettingsSchema.parse({ ...(await getReferralSettings(db)), ...changes })
  await db
    .insert(referralSettings)
    .values({ id: 1, ...next, updatedAt: at })
    .onConflictDoUpdate({
      target: referralSettings.id,
      set: { ...next, updatedAt: sql`excluded.updated_at` },
    })
  return next
}
