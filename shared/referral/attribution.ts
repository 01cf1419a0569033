// Attributing a new member to whoever brought them: first touch, within the window, never oneself,
// never a cycle. Attributions are serialised by one transaction-level advisory lock, so two members
// claiming each other's codes at the same instant cannot both win and close a loop, and 200 sign-ups
// through one code each get exactly one referral row.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { notFound } from '../errors'
import { members } from '../db/schema/members'
import { recordMemberEvent } from '../members/events'
import { referralTouches, referrals, type Referral, type TouchOutcome } from '../db/schema/referral'
import { decideAttribution, touchMessages, type Sharer } from './attribution-rules'
import { findShareCode } from './share-codes'
import { getReferralSettings } from './settings'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Serialises every change to the shape of the referral tree. */
const REFERRAL_TREE_LOCK = 7_240_007

export interface AttributionResult {
  outcome: TouchOutcome
  message: string
  sharer: Sharer
  /** The referee's referral after this arrival: the new one, the earlier one, or none. */
  referral: Referral | null
}

/** Members above `memberId` in the tree, nearest first (a bounded walk: the tree has no cycles). */
export async function ancestorIdsOf(db: Db | Tx, memberId: number): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    db as Db,
    sql`with recursive up(id, depth) as (
          select referrer_id, 1 from referrals where referee_id = ${memberId} and referrer_id is not null
          union all
          select r.referrer_id, up.depth + 1 from up
          join referrals r on r.referee_id = up.id
          where r.referrer_id is not null and up.depth < 100000
        )
        select id from up order by depth`,
  )
  return rows.map((r) => Number(r.id))
}

/**
 * A member arrived through `code` (a mini-program code scene or a share link). Every arrival is
 * recorded as a touch (the sharer's lead; opening one's own code is not); the member is attributed only when the rules allow.
 */
export async function attributeNewMember(
  db: Db,
  input: { refereeId: number; code: string; at: Date },
): Promise<AttributionResult> {
  const shareCode = await findShareCode(db, input.code)
  if (!shareCode) throw notFound('推荐码', 'share_code_not_found')
  const settings = await getReferralSettings(db)
  const sharer: Sharer = { memberId: shareCode.memberId, operatorId: shareCode.operatorId }
  if (sharer.memberId !== null) {
    // A code printed before its owner was merged into another record brings members to the survivor.
    const [owner] = await db
      .select({ mergedIntoId: members.mergedIntoId })
      .from(members)
      .where(eq(members.id, sharer.memberId))
    if (owner?.mergedIntoId) sharer.memberId = owner.mergedIntoId
  }

  return db.transaction(async (tx) => {
    const [referee] = await tx
      .select({ id: members.id, createdAt: members.createdAt })
      .from(members)
      .where(and(eq(members.id, input.refereeId), isNull(members.mergedIntoId)))
    if (!referee) throw notFound('会员', 'member_not_found')

    await tx.execute(sql`select pg_advisory_xact_lock(${REFERRAL_TREE_LOCK})`)
    const [existing] = await tx.select().from(referrals).where(eq(referrals.refereeId, referee.id))
    const facts = {
      refereeId: referee.id,
      refereeCreatedAt: referee.createdAt,
      alreadyAttributed: Boolean(existing),
      sharer,
      sharerAncestorIds: [] as number[],
      at: input.at,
      windowHours: settings.attributionWindowHours,
    }
    let outcome = decideAttribution(facts)
    if (outcome === 'attributed' && sharer.memberId !== null) {
      outcome = decideAttribution({ ...facts, sharerAncestorIds: await ancestorIdsOf(tx, sharer.memberId) })
    }

    let referral: Referral | null = existing ?? null
    if (outcome === 'attributed') {
      const [created] = await tx
        .insert(referrals)
        .values({
          referrerId: sharer.memberId,
          referrerOperatorId: sharer.operatorId,
          refereeId: referee.id,
          code: shareCode.code,
          attributedAt: input.at,
        })
        .returning()
      referral = created!
      if (sharer.memberId !== null) {
        await recordMemberEvent(tx as unknown as Db, {
          memberId: sharer.memberId,
          type: 'referral',
          occurredAt: input.at,
          payload: { refereeId: referee.id, code: shareCode.code },
          sourceKey: `referral:${referee.id}`,
        })
      }
    }
    if (outcome !== 'self_referral') {
      await tx.insert(referralTouches).values({
        code: shareCode.code,
        memberId: referee.id,
        outcome,
        touchedAt: input.at,
      })
    }
    return { outcome, message: touchMessages[outcome], sharer, referral }
  })
}
