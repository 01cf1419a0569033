// Whether a member arriving through a share code is attributed to the sharer: a pure decision over
// the facts the attribution service gathers, so every rule is tested with plain objects.
import type { TouchOutcome } from '../db/schema/referral'

export interface Sharer {
  memberId: number | null
  operatorId: number | null
}

export interface AttributionFacts {
  refereeId: number
  refereeCreatedAt: Date
  /** The referee already has a referrer: first touch wins. */
  alreadyAttributed: boolean
  sharer: Sharer
  /** Members above the sharer in the referral tree (empty for staff sharers and roots). */
  sharerAncestorIds: readonly number[]
  at: Date
  /** A member created longer ago than this is not new. */
  windowHours: number
}

export const HOUR_MS = 3_600_000

export function isNewMember(createdAt: Date, at: Date, windowHours: number): boolean {
  return at.getTime() - createdAt.getTime() <= windowHours * HOUR_MS
}

/** The outcome of one arrival: attributed, or the reason it is not. */
export function decideAttribution(f: AttributionFacts): TouchOutcome {
  if (f.sharer.memberId !== null && f.sharer.memberId === f.refereeId) return 'self_referral'
  if (f.alreadyAttributed) return 'already_attributed'
  if (!isNewMember(f.refereeCreatedAt, f.at, f.windowHours)) return 'not_new'
  if (f.sharerAncestorIds.includes(f.refereeId)) return 'cycle'
  return 'attributed'
}

/** What the member sees when an arrival is not attributed (Simplified Chinese, shown in the mini-program). */
export const touchMessages: Record<TouchOutcome, string> = {
  attributed: '欢迎加入！已记录您的推荐人',
  already_attributed: '您已有推荐人，本次不再重复记录',
  not_new: '推荐仅对新会员有效',
  self_referral: '不能使用自己的推荐码',
  cycle: '不能成为自己推荐链上成员的被推荐人',
}
