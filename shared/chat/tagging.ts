// Tags the bot applies (the friend's source, feedback given): values in fixed dimensions of the
// taxonomy, created on first use, applied once per member.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { memberTags, tagDimensions, tags } from '../db/schema/members'

export interface TagRef {
  /** Dimension code, e.g. `channel`. */
  dimension: string
  /** Dimension name shown to operators when it has to be created, e.g. 来源渠道. */
  dimensionName: string
  /** Tag name, e.g. 顾问微信. */
  name: string
}

const cache = new WeakMap<Db, Map<string, number>>()

export async function ensureTag(db: Db, ref: TagRef): Promise<number> {
  const key = `${ref.dimension}/${ref.name}`
  const known = cache.get(db)?.get(key)
  if (known) return known
  await db
    .insert(tagDimensions)
    .values({ code: ref.dimension, name: ref.dimensionName })
    .onConflictDoNothing()
  const [dim] = await db.select().from(tagDimensions).where(eq(tagDimensions.code, ref.dimension))
  await db.insert(tags).values({ dimensionId: dim!.id, name: ref.name }).onConflictDoNothing()
  const [tag] = await db
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.dimensionId, dim!.id), eq(tags.name, ref.name)))
  if (!cache.has(db)) cache.set(db, new Map())
  cache.get(db)!.set(key, tag!.id)
  return tag!.id
}

/** Tag a member (by the bot); applying a tag they already have changes nothing. */
export async function tagMember(db: Db, memberId: number, ref: TagRef, at: Date): Promise<void> {
  const tagId = await ensureTag(db, ref)
  await db
    .insert(memberTags)
    .values({ memberId, tagId, taggedBy: 'bot', createdAt: at })
    .onConflictDoNothing()
}
