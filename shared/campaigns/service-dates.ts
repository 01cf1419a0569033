// Dates on a member that service reminders count down to (a maintenance, a refill, a renewal).
import { and, asc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { notFound } from '../errors'
import { members } from '../db/schema/members'
import { memberServiceDates } from '../db/schema/campaigns'

export const serviceDateInputSchema = z.object({
  memberId: z.number().int().positive(),
  service: z.string().trim().min(1, '请填写服务项目').max(30),
  dueOn: z.iso.date('日期格式应为 YYYY-MM-DD'),
  note: z.string().trim().max(200).nullable().default(null),
})
export type ServiceDateInput = z.infer<typeof serviceDateInputSchema>

export async function addServiceDate(db: Db, input: ServiceDateInput) {
  const [member] = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.id, input.memberId), isNull(members.mergedIntoId)))
  if (!member) throw notFound('会员', 'member_not_found')
  const [row] = await db.insert(memberServiceDates).values(input).returning()
  return row!
}

export async function listServiceDates(db: Db, memberId: number) {
  return db
    .select()
    .from(memberServiceDates)
    .where(eq(memberServiceDates.memberId, memberId))
    .orderBy(asc(memberServiceDates.dueOn))
}

export async function removeServiceDate(db: Db, id: number) {
  const rows = await db.delete(memberServiceDates).where(eq(memberServiceDates.id, id)).returning()
  if (rows.length === 0) throw notFound('服务日期', 'service_date_not_found')
}
