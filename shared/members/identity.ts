// Identity resolution: whoever arrives (a mini-program login, a friend request, a phone at the till),
// find the member they already are, or create one. Resolutions touching the same identity are
// serialised by transaction-level advisory locks, so two logins with one phone at the same instant
// make one member, not two.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { memberIdentities, members, type IdentityKind, type Member } from '../db/schema/members'
import type { ProfileFields } from './profile'

export interface IdentityRef {
  kind: IdentityKind
  value: string
}

export interface Resolution {
  member: Member
  created: boolean
  /** Identities given that already belonged to a different member: candidates for a merge. */
  conflicts: (IdentityRef & { memberId: number })[]
}

/** Which identity decides who someone is, strongest first. */
const MATCH_PRIORITY: IdentityKind[] = [
  'unionid',
  'phone',
  'mp_openid',
  'oa_openid',
  'store_card',
  'chat_contact',
]

export async function resolveIdentity(
  db: Db,
  input: { identities: IdentityRef[]; profile?: ProfileFields; source?: string; at?: Date },
): Promise<Resolution> {
  const identities = dedupe(input.identities)
  if (identities.length === 0) throw new Error('resolveIdentity needs at least one identity')
  return db.transaction(async (tx) => {
    // Lock every identity involved, in a fixed order (no deadlocks between two resolutions).
    const keys = identities.map((i) => `${i.kind}:${i.value}`).sort()
    for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)

    const existing = await tx
      .select({
        kind: memberIdentities.kind,
        value: memberIdentities.value,
        memberId: memberIdentities.memberId,
      })
      .from(memberIdentities)
      .where(
        or(
          ...identities.map((i) =>
            and(eq(memberIdentities.kind, i.kind), eq(memberIdentities.value, i.value)),
          ),
        ),
      )

    const byStrength = [...existing].sort(
      (a, b) => MATCH_PRIORITY.indexOf(a.kind) - MATCH_PRIORITY.indexOf(b.kind),
    )
    let member: Member | undefined
    let created = false
    if (byStrength.length > 0) {
      ;[member] = await tx
        .select()
        .from(members)
        .where(and(eq(members.id, byStrength[0]!.memberId), isNull(members.mergedIntoId)))
    }
    if (!member) {
      ;[member] = await tx
        .insert(members)
        .values({
          ...(input.profile ?? {}),
          source: input.source ?? 'unknown',
          ...(input.at ? { createdAt: input.at, updatedAt: input.at } : {}),
        })
        .returning()
      created = true
    }
    const conflicts: Resolution['conflicts'] = []
    const known = new Map(existing.map((e) => [`${e.kind}:${e.value}`, e.memberId]))
    const missing = identities.filter((i) => !known.has(`${i.kind}:${i.value}`))
    for (const e of existing) if (e.memberId !== member!.id) conflicts.push(e)
    if (missing.length > 0) {
      await tx
        .insert(memberIdentities)
        .values(missing.map((i) => ({ memberId: member!.id, kind: i.kind, value: i.value })))
    }
    return { member: member!, created, conflicts }
  })
}

/** The member an identity belongs to, if any (following nothing: merged members hold no identities). */
export async function findMemberByIdentity(db: Db, ref: IdentityRef): Promise<Member | null> {
  const [row] = await db
    .select({ member: members })
    .from(memberIdentities)
    .innerJoin(members, eq(members.id, memberIdentities.memberId))
    .where(and(eq(memberIdentities.kind, ref.kind), eq(memberIdentities.value, ref.value)))
  return row?.member ?? null
}

export async function identitiesOf(db: Db, memberIds: number[]) {
  if (memberIds.length === 0) return []
  return db.select().from(memberIdentities).where(inArray(memberIdentities.memberId, memberIds))
}

function dedupe(refs: IdentityRef[]): IdentityRef[] {
  const seen = new Set<string>()
  return refs.filter((r) => {
    const k = `${r.kind}:${r.value}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
