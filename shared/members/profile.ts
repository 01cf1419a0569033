// A member's profile: what the member and operators can read and change about a person.
import { and, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { httpsUrl } from '../validation'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { memberIdentities, members, identityKinds, type Member } from '../db/schema/members'

const phone = z.string().regex(/^1[3-9]\d{9}$/, '手机号格式不正确')

export const profileFieldsSchema = z
  .object({
    name: z.string().trim().min(1).max(50),
    nickname: z.string().trim().min(1).max(50),
    gender: z.enum(['unknown', 'male', 'female']),
    birthday: z.iso.date('生日格式应为 YYYY-MM-DD'),
    birthdayCalendar: z.enum(['solar', 'lunar']),
    city: z.string().trim().min(1).max(50),
    occupation: z.string().trim().min(1).max(50),
    avatarUrl: httpsUrl(),
  })
  .partial()
export type ProfileFields = z.infer<typeof profileFieldsSchema>

export const identityInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('phone'), value: phone }),
  z.object({ kind: z.enum(identityKinds).exclude(['phone']), value: z.string().min(1).max(128) }),
])
export type IdentityInput = z.infer<typeof identityInputSchema>

export const newMemberSchema = profileFieldsSchema.extend({
  source: z.string().min(1).max(32).default('unknown'),
  identities: z.array(identityInputSchema).max(10).default([]),
})
export type NewMember = z.input<typeof newMemberSchema>

/** What a member profile looks like to the outside (API responses). */
export const memberProfileSchema = z.object({
  id: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  gender: z.enum(['unknown', 'male', 'female']),
  birthday: z.string().nullable(),
  birthdayCalendar: z.enum(['solar', 'lunar']),
  city: z.string().nullable(),
  occupation: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  stage: z.string(),
  createdAt: z.string(),
})
export type MemberProfile = z.infer<typeof memberProfileSchema>

export function presentProfile(m: Member): MemberProfile {
  return {
    id: m.id,
    memberNo: m.memberNo,
    name: m.name,
    nickname: m.nickname,
    gender: m.gender,
    birthday: m.birthday,
    birthdayCalendar: m.birthdayCalendar,
    city: m.city,
    occupation: m.occupation,
    avatarUrl: m.avatarUrl,
    stage: m.stage,
    createdAt: m.createdAt.toISOString(),
  }
}

/**
 * Create a member with its identities in one transaction: if any identity already belongs to someone,
 * nothing is written and the caller gets a 409 naming the identity.
 */
export async function createMember(db: Db, input: NewMember): Promise<Member> {
  const parsed = newMemberSchema.parse(input)
  const { identities, ...profile } = parsed
  try {
    return await db.transaction(async (tx) => {
      const [member] = await tx.insert(members).values(profile).returning()
      for (const identity of identities) {
        await tx
          .insert(memberIdentities)
          .values({ memberId: member!.id, kind: identity.kind, value: identity.value })
      }
      return member!
    })
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new DomainError('identity_taken', '该身份已属于其他会员', 409, [
        { path: 'identities', message: '该身份已属于其他会员' },
      ])
    }
    throw err
  }
}

export async function getMember(db: Db, memberId: number): Promise<Member> {
  const [member] = await db
    .select()
    .from(members)
    .where(and(eq(members.id, memberId), isNull(members.mergedIntoId)))
  if (!member) throw notFound('会员', 'member_not_found')
  return member
}

export async function updateProfile(
  db: Db,
  memberId: number,
  fields: ProfileFields,
  at: Date,
): Promise<Member> {
  const [member] = await db
    .update(members)
    .set({ ...fields, updatedAt: at })
    .where(and(eq(members.id, memberId), isNull(members.mergedIntoId)))
    .returning()
  if (!member) throw notFound('会员', 'member_not_found')
  return member
}
