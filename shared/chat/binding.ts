// Binding a chat contact to the member it is: by a one-time code from the mini-program ("talk to my
// advisor"), or by a phone number typed into the friend request. A lead created from the contact
// before it was bound is joined into the member in the same transaction.
import { randomInt } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError } from '../errors'
import { mergeMembers } from '../members/merge'
import { memberIdentities, members, type Member } from '../db/schema/members'
import { botAccounts, chatBindCodes } from '../db/schema/chat'
import { contactIdentity } from './contacts'
import { assignAdvisor } from './assignment'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export const BIND_CODE_TTL_MS = 30 * 60_000

/** A one-time code in a message or a friend greeting: six digits, alone or after 绑定/验证码. */
export function bindCodeIn(text: string): string | null {
  const m = /(?:绑定码?|验证码|code)\s*[:：]?\s*(\d{6})(?!\d)/i.exec(text) ?? /^\s*(\d{6})\s*$/.exec(text)
  return m ? m[1]! : null
}

/** A mainland mobile number in a greeting ("我是王丽 13812345678"). */
export function phoneIn(text: string): string | null {
  const m = /(?<!\d)(1[3-9]\d{9})(?!\d)/.exec(text.replace(/[\s-]/g, ''))
  return m ? m[1]! : null
}

export interface IssuedBindCode {
  code: string
  expiresAt: Date
  accountId: number
  advisorName: string
}

/**
 * "Talk to my advisor": give the member an advisor if they have none (least load), and a fresh code
 * to send to that advisor. Earlier open codes of the member stop working.
 */
export async function issueBindCode(db: Db, memberId: number, at: Date): Promise<IssuedBindCode> {
  const accountId = await assignAdvisor(db, memberId, at)
  const [account] = await db
    .select({ displayName: botAccounts.displayName })
    .from(botAccounts)
    .where(eq(botAccounts.id, accountId))
  const expiresAt = new Date(at.getTime() + BIND_CODE_TTL_MS)
  for (let attempt = 0; ; attempt++) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    try {
      await db.transaction(async (tx) => {
        await tx
          .update(chatBindCodes)
          .set({ usedAt: at, usedBy: 'replaced' })
          .where(and(eq(chatBindCodes.memberId, memberId), isNull(chatBindCodes.usedAt)))
        // An expired code nobody used frees its digits.
        await tx
          .update(chatBindCodes)
          .set({ usedAt: at, usedBy: 'expired' })
          .where(
            and(
              eq(chatBindCodes.code, code),
              isNull(chatBindCodes.usedAt),
              sql`${chatBindCodes.expiresAt} <= ${at.toISOString()}::timestamptz`,
            ),
          )
        await tx.insert(chatBindCodes).values({ code, memberId, accountId, expiresAt, createdAt: at })
      })
      return { code, expiresAt, accountId, advisorName: account!.displayName }
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 20) throw err
    }
  }
}

export type BindResult =
  | { ok: true; member: Member; absorbedLeadId: number | null }
  | { ok: false; reason: 'unknown_code' | 'expired_code' | 'unknown_phone' }

/** Redeem a one-time code sent from a contact: the contact becomes the code's member (verified). */
export async function bindByCode(
  db: Db,
  input: { accountId: number; contactId: string; code: string; at: Date },
): Promise<BindResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(chatBindCodes)
      .where(and(eq(chatBindCodes.code, input.code), isNull(chatBindCodes.usedAt)))
      .for('update')
    if (!row) return { ok: false, reason: 'unknown_code' } as const
    if (row.expiresAt.getTime() <= input.at.getTime()) return { ok: false, reason: 'expired_code' } as const
    await tx
      .update(chatBindCodes)
      .set({ usedAt: input.at, usedBy: contactIdentity(input.accountId, input.contactId) })
      .where(eq(chatBindCodes.id, row.id))
    return bindContactTx(tx, { ...input, memberId: row.memberId, verified: true })
  })
}

/**
 * A phone number in a friend request binds the contact to the member who holds that phone, but only
 * as unverified: anyone can type a number, so private answers (points, orders) still need a code.
 */
export async function bindByPhone(
  db: Db,
  input: { accountId: number; contactId: string; phone: string; at: Date },
): Promise<BindResult> {
  return db.transaction(async (tx) => {
    const [holder] = await tx
      .select({ memberId: memberIdentities.memberId })
      .from(memberIdentities)
      .where(and(eq(memberIdentities.kind, 'phone'), eq(memberIdentities.value, input.phone)))
    if (!holder) return { ok: false, reason: 'unknown_phone' } as const
    return bindContactTx(tx, { ...input, memberId: holder.memberId, verified: false })
  })
}

async function bindContactTx(
  tx: Tx,
  input: { accountId: number; contactId: string; memberId: number; verified: boolean; at: Date },
): Promise<BindResult> {
  const value = contactIdentity(input.accountId, input.contactId)
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`chat_contact:${value}`}, 0))`)
  const [member] = await tx
    .select()
    .from(members)
    .where(and(eq(members.id, input.memberId), isNull(members.mergedIntoId)))
    .for('update')
  if (!member) throw new DomainError('member_not_found', '会员不存在', 404)

  const [existing] = await tx
    .select()
    .from(memberIdentities)
    .where(and(eq(memberIdentities.kind, 'chat_contact'), eq(memberIdentities.value, value)))
  let absorbedLeadId: number | null = null
  if (!existing) {
    await tx.insert(memberIdentities).values({
      memberId: member.id,
      kind: 'chat_contact',
      value,
      verified: input.verified,
      createdAt: input.at,
    })
  } else if (existing.memberId === member.id) {
    if (input.verified && !existing.verified) {
      await tx.update(memberIdentities).set({ verified: true }).where(eq(memberIdentities.id, existing.id))
    }
  } else {
    const others = await tx
      .select({ kind: memberIdentities.kind })
      .from(memberIdentities)
      .where(eq(memberIdentities.memberId, existing.memberId))
    if (others.every((o) => o.kind === 'chat_contact')) {
      // A lead known only from chat: the members domain's merge moves everything it has (recorded,
      // undoable), here as a savepoint inside this transaction.
      await mergeMembers(tx as unknown as Db, {
        survivorId: member.id,
        mergedId: existing.memberId,
        reason: 'chat_lead_bound',
        at: input.at,
      })
      absorbedLeadId = existing.memberId
    }
    // The contact now belongs to the member whose code or phone it gave.
    await tx
      .update(memberIdentities)
      .set({ memberId: member.id, verified: input.verified || existing.verified })
      .where(eq(memberIdentities.id, existing.id))
  }
  // Whoever added this account and bound themselves has it as their advisor unless they had one.
  const [updated] = await tx
    .update(members)
    .set({
      advisorAccountId: sql`coalesce(${members.advisorAccountId}, ${input.accountId})`,
      updatedAt: input.at,
    })
    .where(eq(members.id, member.id))
    .returning()
  return { ok: true, member: updated!, absorbedLeadId }
}
