// Share codes: short, random, ≤ 32 characters from the set WeChat allows in a mini-program code
// `scene`, one per member or staff promoter, created on first use.
import { randomInt } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { operators } from '../db/schema/auth'
import { shareCodes, type ShareCode } from '../db/schema/referral'

/** Characters WeChat accepts in a `scene` (wxacode.getUnlimited), at most 32 of them. */
export const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/

/** No 0/O or 1/I: codes are read aloud and typed by hand at the till. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
export const CODE_LENGTH = 8

export function generateShareCode(): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return code
}

/** A code as typed or scanned: trimmed, upper-cased; null if it cannot be a share code. */
export function normaliseShareCode(input: string): string | null {
  const code = input.trim().toUpperCase()
  return SCENE_PATTERN.test(code) ? code : null
}

export type SharerRef = { memberId: number } | { operatorId: number }

export const MINIPROGRAM_HOME = 'pages/index/index'

/** Where a share points: the `scene` of its mini-program code and the path of a share card. */
export function shareTargetsOf(code: string) {
  return { code, scene: code, page: MINIPROGRAM_HOME, path: `${MINIPROGRAM_HOME}?ref=${code}` }
}

async function existingCode(db: Db, sharer: SharerRef): Promise<ShareCode | undefined> {
  const [row] = await db
    .select()
    .from(shareCodes)
    .where(
      'memberId' in sharer
        ? eq(shareCodes.memberId, sharer.memberId)
        : eq(shareCodes.operatorId, sharer.operatorId),
    )
  return row
}

/** The sharer's code, created on first use (concurrent first uses agree on one code). */
export async function shareCodeOf(db: Db, sharer: SharerRef): Promise<ShareCode> {
  const found = await existingCode(db, sharer)
  if (found) return found
  if ('memberId' in sharer) {
    const [m] = await db
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.id, sharer.memberId), isNull(members.mergedIntoId)))
    if (!m) throw notFound('会员', 'member_not_found')
  } else {
    const [o] = await db
      .select({ id: operators.id })
      .from(operators)
      .where(eq(operators.id, sharer.operatorId))
    if (!o) throw notFound('运营人员', 'operator_not_found')
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const [row] = await db
      .insert(shareCodes)
      .values({
        code: generateShareCode(),
        memberId: 'memberId' in sharer ? sharer.memberId : null,
        operatorId: 'operatorId' in sharer ? sharer.operatorId : null,
      })
      .onConflictDoNothing()
      .returning()
    if (row) return row
    // Either another request created this sharer's code, or the random code was taken: look again.
    const raced = await existingCode(db, sharer)
    if (raced) return raced
  }
  throw new DomainError('share_code_unavailable', '暂时无法生成推荐码，请稍后再试', 503)
}

export async function findShareCode(db: Db, input: string): Promise<ShareCode | null> {
  const code = normaliseShareCode(input)
  if (!code) return null
  const [row] = await db.select().from(shareCodes).where(eq(shareCodes.code, code))
  return row ?? null
}
