// The brand's own dates and the occasions a holiday greeting can be for: every festival of the
// calendar plus the brand dates operators add.
import { asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { festivalByCode, festivals, occasionsOfYear, type BrandDate, type Occasion } from '../calendar'
import { brandDates } from '../db/schema/campaigns'

export const brandDateInputSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, '代码只能用小写字母、数字和下划线，以字母开头'),
    name: z.string().trim().min(1, '请填写名称').max(20),
    calendar: z.enum(['solar', 'lunar']),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
  })
  .refine(
    (b) =>
      b.day <= (b.calendar === 'lunar' ? 30 : [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][b.month - 1]!),
    {
      message: '这一天不存在',
      path: ['day'],
    },
  )
export type BrandDateInput = z.infer<typeof brandDateInputSchema>

export async function listBrandDates(db: Db): Promise<(BrandDate & { id: number })[]> {
  return db
    .select({
      id: brandDates.id,
      code: brandDates.code,
      name: brandDates.name,
      calendar: brandDates.calendar,
      month: brandDates.month,
      day: brandDates.day,
    })
    .from(brandDates)
    .orderBy(asc(brandDates.month), asc(brandDates.day))
}

export async function createBrandDate(db: Db, input: BrandDateInput): Promise<BrandDate & { id: number }> {
  if (festivalByCode(input.code))
    throw new DomainError('occasion_code_taken', `代码 ${input.code} 已是节日代码`, 409, [
      { path: 'body.code', message: '与节日代码重复' },
    ])
  try {
    const [row] = await db.insert(brandDates).values(input).returning()
    return {
      id: row!.id,
      code: row!.code,
      name: row!.name,
      calendar: row!.calendar,
      month: row!.month,
      day: row!.day,
    }
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('occasion_code_taken', `代码 ${input.code} 已存在`, 409, [
        { path: 'body.code', message: '代码已存在' },
      ])
    throw err
  }
}

export async function deleteBrandDate(db: Db, id: number): Promise<void> {
  const rows = await db.delete(brandDates).where(eq(brandDates.id, id)).returning({ id: brandDates.id })
  if (rows.length === 0) throw notFound('品牌日', 'brand_date_not_found')
}

/** The festival or brand date with this code, or null. */
export async function findOccasion(db: Db, code: string): Promise<{ code: string; name: string } | null> {
  const festival = festivalByCode(code)
  if (festival) return { code, name: festival.name }
  const [row] = await db.select().from(brandDates).where(eq(brandDates.code, code))
  return row ? { code, name: row.name } : null
}

/** The calendar of a year: festivals and brand dates. */
export async function calendarOfYear(db: Db, year: number): Promise<Occasion[]> {
  return occasionsOfYear(year, await listBrandDates(db))
}

export const festivalCodes = festivals.map((f) => f.code)
