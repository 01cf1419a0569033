// Chat contacts and the members behind them. A contact is known per account: the identity value is
// `<accountId>:<contactId>`. When a web-protocol puppet gives a contact a new id after a re-login, the
// member number we wrote into the contact's remark (alias) finds the member again.
import { and, desc, eq, isNull, like, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { resolveIdentity } from '../members/identity'
import { memberIdentities, members, type Member } from '../db/schema/members'

export const contactIdentity = (accountId: number, contactId: string) => `${accountId}:${contactId}`

/** The member number written into a contact's remark, e.g. "王丽 M10000042" → "M10000042". */
export function memberNoInAlias(alias: string | null | undefined): string | null {
  const m = /(?<![A-Za-z0-9])M\d{8,12}(?!\d)/.exec(alias ?? '')
  return m ? m[0] : null
}

/** The remark we give a bound contact: their name and member number. */
export function aliasFor(member: Pick<Member, 'memberNo' | 'name' | 'nickname'>): string {
  const name = (member.name ?? member.nickname ?? '').slice(0, 12)
  return name ? `${name} ${member.memberNo}` : member.memberNo
}

export interface ChatMember {
  member: Member
  /** Bound by a one-time code or a remark we wrote (not merely a phone typed into a greeting). */
  verified: boolean
  /** Created now as a lead at the stranger stage. */
  created: boolean
  /** Found again through the remark after the contact id changed. */
  rebound: boolean
}

export interface ContactRef {
  accountId: number
  contactId: string
  alias?: string | null
  name?: string | null
}

/** The member a chat contact belongs to, if it is known, without creating anything. */
export async function findChatMember(
  db: Db,
  accountId: number,
  contactId: string,
): Promise<{ member: Member; verified: boolean } | null> {
  const [row] = await db
    .select({ member: members, verified: memberIdentities.verified })
    .from(memberIdentities)
    .innerJoin(members, eq(members.id, memberIdentities.memberId))
    .where(
      and(
        eq(memberIdentities.kind, 'chat_contact'),
        eq(memberIdentities.value, contactIdentity(accountId, contactId)),
      ),
    )
  return row ?? null
}

/**
 * Who is talking: the bound member; else the member whose number is in the contact's remark (the
 * contact's new id is bound to them); else a lead at the stranger stage holding only this contact.
 */
export async function resolveChatMember(db: Db, ref: ContactRef, at: Date): Promise<ChatMember> {
  const known = await findChatMember(db, ref.accountId, ref.contactId)
  if (known) return { ...known, created: false, rebound: false }

  const memberNo = memberNoInAlias(ref.alias)
  if (memberNo) {
    const [member] = await db
      .select()
      .from(members)
      .where(and(eq(members.memberNo, memberNo), isNull(members.mergedIntoId)))
    if (member) {
      await db
        .insert(memberIdentities)
        .values({
          memberId: member.id,
          kind: 'chat_contact',
          value: contactIdentity(ref.accountId, ref.contactId),
          verified: true,
          createdAt: at,
        })
        .onConflictDoNothing()
      const again = await findChatMember(db, ref.accountId, ref.contactId)
      if (again) return { ...again, created: false, rebound: again.member.id === member.id }
    }
  }

  const resolution = await resolveIdentity(db, {
    identities: [{ kind: 'chat_contact', value: contactIdentity(ref.accountId, ref.contactId) }],
    profile: ref.name ? { nickname: ref.name.slice(0, 50) } : {},
    source: 'chat',
    at,
  })
  return { member: resolution.member, verified: false, created: resolution.created, rebound: false }
}

/** The member's contact id on an account (the most recent one), if they are a friend of it. */
export async function contactOnAccount(db: Db, memberId: number, accountId: number): Promise<string | null> {
  const [row] = await db
    .select({ value: memberIdentities.value })
    .from(memberIdentities)
    .where(
      and(
        eq(memberIdentities.memberId, memberId),
        eq(memberIdentities.kind, 'chat_contact'),
        like(memberIdentities.value, `${accountId}:%`),
      ),
    )
    .orderBy(desc(memberIdentities.createdAt), desc(memberIdentities.id))
    .limit(1)
  return row ? row.value.slice(String(accountId).length + 1) : null
}

/** A lead: someone we only know from chat (chat contacts are their only identities). */
export async function isLead(db: Db, memberId: number): Promise<boolean> {
  const [row] = await db
    .select({ other: sql<number>`count(*) filter (where ${memberIdentities.kind} <> 'chat_contact')::int` })
    .from(memberIdentities)
    .where(eq(memberIdentities.memberId, memberId))
  return (row?.other ?? 0) === 0
}
