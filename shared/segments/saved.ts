// Saved segments: a named filter operators keep, and campaigns target (evaluated when they run).
import { asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { segments, type SavedSegment } from '../db/schema/members'
import { parseSegmentFilter, segmentFilterSchema } from './filter'

export const savedSegmentInputSchema = z.object({
  name: z.string().trim().min(1, '请填写名称').max(50),
  description: z.string().trim().max(200).optional(),
  filter: segmentFilterSchema,
})

export const savedSegmentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  filter: segmentFilterSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type SavedSegmentView = z.infer<typeof savedSegmentSchema>

const presentSaved = (s: SavedSegment): SavedSegmentView => ({
  id: s.id,
  name: s.name,
  description: s.description,
  filter: parseSegmentFilter(s.filter),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
})

const nameTaken = () =>
  new DomainError('segment_name_taken', '已有同名的分群', 409, [{ path: 'name', message: '名称已被使用' }])

export async function createSavedSegment(
  db: Db,
  input: z.input<typeof savedSegmentInputSchema>,
  operatorId: number | null,
  at: Date,
): Promise<SavedSegmentView> {
  const data = savedSegmentInputSchema.parse(input)
  try {
    const [row] = await db
      .insert(segments)
      .values({ ...data, operatorId, createdAt: at, updatedAt: at })
      .returning()
    return presentSaved(row!)
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken()
    throw err
  }
}

export async function updateSavedSegment(
  db: Db,
  id: number,
  input: z.input<typeof savedSegmentInputSchema>,
  operatorId: number | null,
  at: Date,
): Promise<SavedSegmentView> {
  const data = savedSegmentInputSchema.parse(input)
  try {
    const [row] = await db
      .update(segments)
      .set({ ...data, description: data.description ?? null, operatorId, updatedAt: at })
      .where(eq(segments.id, id))
      .returning()
    if (!row) throw notFound('分群', 'segment_not_found')
    return presentSaved(row)
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken()
    throw err
  }
}

export async function deleteSavedSegment(db: Db, id: number): Promise<void> {
  const removed = await db.delete(segments).where(eq(segments.id, id)).returning({ id: segments.id })
  if (removed.length === 0) throw notFound('分群', 'segment_not_found')
}

export async function listSavedSegments(db: Db): Promise<SavedSegmentView[]> {
  return (await db.select().from(segments).orderBy(asc(segments.id))).map(presentSaved)
}

/** A saved segment (campaigns: `segmentMemberIds(db, (await getSavedSegment(db, id)).filter, at)`). */
export async function getSavedSegment(db: Db, id: number): Promise<SavedSegmentView> {
  const [row] = await db.select().from(segments).where(eq(segments.id, id))
  if (!row) throw notFound('分群', 'segment_not_found')
  return presentSaved(row)
}
