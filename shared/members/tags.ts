// The tag taxonomy: dimensions defined up front by operators (skin type, interests, channel), each
// single- or multi-valued, with tags inside; members tagged by operators, store staff, the bot or the
// system, with who and when.
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { memberTags, members, tagDimensions, tags } from '../db/schema/members'

export const taggers = ['operator', 'staff', 'bot', 'system'] as const
export type Tagger = (typeof taggers)[number]

export const newDimensionSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,31}$/, '编码只能用小写字母、数字和下划线，以字母开头'),
  name: z.string().trim().min(1).max(30),
  multiple: z.boolean().default(true),
})

export const newTagSchema = z.object({
  dimensionId: z.number().int().positive(),
  name: z.string().trim().min(1).max(30),
})

export const tagSchema = z.object({ id: z.number().int(), name: z.string() })
export const dimensionSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  multiple: z.boolean(),
  tags: z.array(tagSchema),
})
export type TagDimensionView = z.infer<typeof dimensionSchema>

export const memberTagSchema = z.object({
  tagId: z.number().int(),
  tag: z.string(),
  dimensionId: z.number().int(),
  dimensionCode: z.string(),
  dimension: z.string(),
  taggedBy: z.enum(taggers),
  operatorId: z.number().int().nullable(),
  createdAt: z.string(),
})
export type MemberTagView = z.infer<typeof memberTagSchema>

/** Every dimension with its tags, in a stable order. */
export async function listTaxonomy(db: Db): Promise<TagDimensionView[]> {
  const dims = await db.select().from(tagDimensions).orderBy(asc(tagDimensions.id))
  const all = await db.select().from(tags).orderBy(asc(tags.id))
  return dims.map((d) => ({
    id: d.id,
    code: d.code,
    name: d.name,
    multiple: d.multiple,
    tags: all.filter((t) => t.dimensionId === d.id).map((t) => ({ id: t.id, name: t.name })),
  }))
}

export async function createDimension(db: Db, input: z.input<typeof newDimensionSchema>) {
  const data = newDimensionSchema.parse(input)
  try {
    const [row] = await db.insert(tagDimensions).values(data).returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('dimension_exists', '该标签维度编码已存在', 409, [
        { path: 'code', message: '编码已存在' },
      ])
    throw err
  }
}

export async function createTag(db: Db, input: z.input<typeof newTagSchema>) {
  const data = newTagSchema.parse(input)
  const [dim] = await db.select().from(tagDimensions).where(eq(tagDimensions.id, data.dimensionId))
  if (!dim)
    throw new DomainError('dimension_not_found', '标签维度不存在', 404, [
      { path: 'dimensionId', message: '标签维度不存在' },
    ])
  try {
    const [row] = await db.insert(tags).values(data).returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('tag_exists', '该维度下已有同名标签', 409, [
        { path: 'name', message: '同名标签已存在' },
      ])
    throw err
  }
}

/**
 * Tag a member. In a single-valued dimension the new tag replaces the member's other tag there (a
 * member has one skin type). Tagging twice keeps the first record (who and when).
 */
export async function tagMember(
  db: Db,
  input: { memberId: number; tagId: number; taggedBy: Tagger; operatorId?: number | null; at: Date },
): Promise<{ added: boolean; replaced: number[] }> {
  return db.transaction(async (tx) => {
    const [member] = await tx
      .execute(sql`select id from members where id = ${input.memberId} and merged_into_id is null for update`)
      .then((r) => (r as unknown as { rows: { id: number }[] }).rows)
    if (!member) throw notFound('会员', 'member_not_found')
    const [tag] = await tx
      .select({ id: tags.id, dimensionId: tags.dimensionId, multiple: tagDimensions.multiple })
      .from(tags)
      .innerJoin(tagDimensions, eq(tagDimensions.id, tags.dimensionId))
      .where(eq(tags.id, input.tagId))
    if (!tag)
      throw new DomainError('tag_not_found', '标签不存在', 404, [{ path: 'tagId', message: '标签不存在' }])
    let replaced: number[] = []
    if (!tag.multiple) {
      const removed = await tx
        .delete(memberTags)
        .where(
          and(
            eq(memberTags.memberId, input.memberId),
            ne(memberTags.tagId, tag.id),
            sql`${memberTags.tagId} in (select id from tags where dimension_id = ${tag.dimensionId})`,
          ),
        )
        .returning({ tagId: memberTags.tagId })
      replaced = removed.map((r) => r.tagId)
    }
    const added = await tx
      .insert(memberTags)
      .values({
        memberId: input.memberId,
        tagId: tag.id,
        taggedBy: input.taggedBy,
        operatorId: input.operatorId ?? null,
        createdAt: input.at,
      })
      .onConflictDoNothing()
      .returning({ tagId: memberTags.tagId })
    await tx.update(members).set({ updatedAt: input.at }).where(eq(members.id, input.memberId))
    return { added: added.length > 0, replaced }
  })
}

export async function untagMember(db: Db, memberId: number, tagId: number): Promise<boolean> {
  const removed = await db
    .delete(memberTags)
    .where(and(eq(memberTags.memberId, memberId), eq(memberTags.tagId, tagId)))
    .returning({ tagId: memberTags.tagId })
  return removed.length > 0
}

export async function tagsOfMember(db: Db, memberId: number): Promise<MemberTagView[]> {
  const rows = await db
    .select({
      tagId: tags.id,
      tag: tags.name,
      dimensionId: tagDimensions.id,
      dimensionCode: tagDimensions.code,
      dimension: tagDimensions.name,
      taggedBy: memberTags.taggedBy,
      operatorId: memberTags.operatorId,
      createdAt: memberTags.createdAt,
    })
    .from(memberTags)
    .innerJoin(tags, eq(tags.id, memberTags.tagId))
    .innerJoin(tagDimensions, eq(tagDimensions.id, tags.dimensionId))
    .where(eq(memberTags.memberId, memberId))
    .orderBy(asc(tagDimensions.id), asc(tags.id))
  return rows.map((r) => ({ ...r, taggedBy: r.taggedBy as Tagger, createdAt: r.createdAt.toISOString() }))
}
