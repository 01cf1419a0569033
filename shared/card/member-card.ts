// The electronic member card: who the member is, their levels and benefits, their points (and what is
// about to expire), honours, and a short-lived signed code for the till's scanner. Also the member's
// points history.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { qrDataUrl } from './till-qr'
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { getMember } from '../members/profile'
import { members } from '../db/schema/members'
import { pointsBalance } from '../points/ledger'
import { expiringPoints } from '../points/history'
import { memberLevels } from '../tiers/ladders'
import { benefitsOfLevels } from '../benefits/quotas'
import { honoursOf } from '../points/honours'

/** How long a till code stays valid: short, so a screenshot cannot be reused later. */
export const TILL_CODE_TTL_SECONDS = 300

/**
 * The key that signs till codes, derived from the configured signing key (`config.signingKey`: SECRET_KEY,
 * so every server process agrees). There is no built-in key: one in the source would let anyone mint codes.
 */
export function tillCodeKey(signingKeyHex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(signingKeyHex)) throw new Error('till codes need a 32-byte hex signing key')
  return createHmac('sha256', Buffer.from(signingKeyHex, 'hex')).update('till-code').digest()
}

const sign = (key: Buffer, body: string) =>
  createHmac('sha256', key).update(body).digest('base64url').slice(0, 22)

/** A till code: `SUC1.<member no>.<expiry, unix seconds>.<signature>`. */
export function issueTillCode(memberNo: string, at: Date, key: Buffer): { payload: string; expiresAt: Date } {
  const exp = Math.floor(at.getTime() / 1000) + TILL_CODE_TTL_SECONDS
  const body = `SUC1.${memberNo}.${exp}`
  return { payload: `${body}.${sign(key, body)}`, expiresAt: new Date(exp * 1000) }
}

/** The member number a scanned till code names; a forged or expired code is a 400. */
export function verifyTillCode(payload: string, key: Buffer, at: Date): string {
  const m = /^(SUC1\.(M\d{1,18})\.(\d{9,12}))\.([\w-]{22})$/.exec(payload.trim())
  if (!m) throw new DomainError('till_code_invalid', '会员码无效', 400)
  const expected = Buffer.from(sign(key, m[1]!))
  const given = Buffer.from(m[4]!)
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new DomainError('till_code_invalid', '会员码无效', 400)
  if (Number(m[3]) * 1000 <= at.getTime())
    throw new DomainError('till_code_expired', '会员码已过期，请刷新后重试', 400)
  return m[2]!
}

export async function memberIdForTillCode(db: Db, payload: string, key: Buffer, at: Date): Promise<number> {
  const memberNo = verifyTillCode(payload, key, at)
  const [row] = await db.select({ id: members.id }).from(members).where(eq(members.memberNo, memberNo))
  if (!row) throw new DomainError('till_code_invalid', '会员码无效', 400)
  return row.id
}

export async function memberCard(db: Db, memberId: number, at: Date, key: Buffer) {
  // Independent reads side by side: the card is one screen, its latency the slowest of them.
  const [member, levels, expiring, balance, honours] = await Promise.all([
    getMember(db, memberId),
    memberLevels(db, memberId, at),
    expiringPoints(db, memberId, at),
    pointsBalance(db, memberId, at),
    honoursOf(db, memberId),
  ])
  const benefits = await benefitsOfLevels(db, memberId, levels, at)
  const till = issueTillCode(member.memberNo, at, key)
  const multiplier = Math.max(100, ...levels.map((l) => l.pointsMultiplierPct))
  return {
    member: {
      memberNo: member.memberNo,
      name: member.name,
      nickname: member.nickname,
      avatarUrl: member.avatarUrl,
    },
    levels: levels.map((l) => ({
      ladder: l.ladder,
      ladderName: l.ladderName,
      kind: l.ladderKind,
      level: l.level,
      levelName: l.levelName,
      pointsMultiplierPct: l.pointsMultiplierPct,
      endsAt: l.endsAt?.toISOString() ?? null,
    })),
    pointsMultiplierPct: multiplier,
    benefits: benefits.map((b) => ({
      code: b.code,
      name: b.name,
      kind: b.kind,
      description: b.description,
      level: b.level,
      quota: b.quota,
      used: b.used,
      remaining: b.remaining,
      discountPct: b.kind === 'member_price' ? (b.args.discountPct as number) : null,
    })),
    points: {
      balance,
      expiringPoints: expiring.points,
      expiringSoonestAt: expiring.soonestAt?.toISOString() ?? null,
    },
    honours,
    tillCode: {
      payload: till.payload,
      expiresAt: till.expiresAt.toISOString(),
      qrDataUrl: qrDataUrl(till.payload),
    },
  }
}
