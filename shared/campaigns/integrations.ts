// What campaigns take from other domains, as interfaces with one default wiring. An audience whose
// source lives in another domain (saved segments, the referral ask list, tier rule-change notices,
// super-user candidates, coupons) is plugged in here; where no source is wired, the kind either falls
// back to plain SQL over the shared data model or refuses with a clear 409.
import type { SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { listCandidates } from '../segments/candidates'
import { segmentMemberIds } from '../segments/filter'
import { getSavedSegment } from '../segments/saved'
import { referralAskList } from '../referral/asks'
import { issueCoupon } from '../coupons/service'
import { and, eq, gt, isNull } from 'drizzle-orm'
import { tierChangeNotices } from '../db/schema/loyalty'
import { botAccounts } from '../db/schema/chat'
import { accountEnv, accountPacingState, accountPolicy, estimateFinish, NEVER } from '../chat/pacing'
import { shanghaiDate } from '../clock'

export interface SavedSegment {
  id: number
  name: string
}

/** Saved member segments (the members domain): a filter compiled to SQL, evaluated at send time. */
export interface SegmentSource {
  find(db: Db, segmentId: number): Promise<SavedSegment | null>
  /** SQL selecting one column: the ids of the members in the segment at `at`. */
  memberIds(db: Db, segmentId: number, at: Date): Promise<SQL>
}

/** One member told about a change to their tier benefits (the loyalty domain's rule changes). */
export interface BenefitChangeNotice {
  memberId: number
  /** What changes for this member, as they will read it. */
  change: string
  /** YYYY-MM-DD, Asia/Shanghai. */
  effectiveOn: string
}

export interface CouponIssue {
  memberId: number
  couponTemplateId: string
  /** `campaign:<run>:<member>:coupon`: issuing twice with one key must give one coupon. */
  sourceKey: string
  at: Date
}

export interface CampaignIntegrations {
  segments: SegmentSource | null
  /** Satisfied customers who would recommend the brand but were never asked (referral domain). */
  referralAskList: ((db: Db, at: Date) => Promise<number[]>) | null
  /** Members to notify of a tier rule change, optionally one change by its id (loyalty domain). */
  benefitChangeNotices: ((db: Db, at: Date, changeId: string | null) => Promise<BenefitChangeNotice[]>) | null
  /** The ranked super-user candidates (members domain), best first. */
  superUserCandidates: ((db: Db, at: Date, limit: number) => Promise<number[]>) | null
  /** Issue a coupon from a template to a member, idempotent by source key (store domain). */
  issueCoupon: ((db: Db, input: CouponIssue) => Promise<void>) | null
  /**
   * When an account will have sent `messages` more proactive messages from `start`, under the bot's own
   * pacing rule and state (chat domain); null = never. Unwired, the dry run uses delivery-estimate.ts.
   */
  accountFinishEstimate:
    ((db: Db, accountId: number, messages: number, start: Date) => Promise<Date | null>) | null
}

/** Saved segments of the members domain: the filter is compiled to SQL when the campaign runs. */
export const savedSegmentSource: SegmentSource = {
  async find(db, segmentId) {
    try {
      const segment = await getSavedSegment(db, segmentId)
      return { id: segment.id, name: segment.name }
    } catch (err) {
      if (err instanceof DomainError && err.status === 404) return null
      throw err
    }
  },
  async memberIds(db, segmentId, at) {
    return segmentMemberIds(db, (await getSavedSegment(db, segmentId)).filter, at)
  },
}

/** The members domain's ranked candidate list, best first, `limit` long. */
async function rankedCandidates(db: Db, at: Date, limit: number): Promise<number[]> {
  const ids: number[] = []
  while (ids.length < limit) {
    const page = await listCandidates(db, {
      at,
      limit: Math.min(500, limit - ids.length),
      offset: ids.length,
    })
    ids.push(...page.items.map((c) => c.memberId))
    if (page.items.length === 0 || ids.length >= page.total) break
  }
  return ids
}

/**
 * The loyalty programme's advance notices of scheduled tier rule changes that have not taken effect
 * yet: all of them, or one rule set's (`changeId` = the rule set id).
 */
async function pendingTierChangeNotices(
  db: Db,
  at: Date,
  changeId: string | null,
): Promise<BenefitChangeNotice[]> {
  if (changeId !== null && !/^\d+$/.test(changeId)) return []
  const rows = await db
    .select({
      memberId: tierChangeNotices.memberId,
      message: tierChangeNotices.message,
      effectiveAt: tierChangeNotices.effectiveAt,
    })
    .from(tierChangeNotices)
    .where(
      and(
        isNull(tierChangeNotices.deliveredAt),
        gt(tierChangeNotices.effectiveAt, at),
        changeId === null ? undefined : eq(tierChangeNotices.ruleSetId, Number(changeId)),
      ),
    )
  return rows.map((r) => ({
    memberId: r.memberId,
    change: r.message,
    effectiveOn: shanghaiDate(r.effectiveAt),
  }))
}

/** When an account will be done, by the sender's own pacing rule and the account's current state. */
async function botPacingFinish(
  db: Db,
  accountId: number,
  messages: number,
  start: Date,
): Promise<Date | null> {
  const [account] = await db.select().from(botAccounts).where(eq(botAccounts.id, accountId))
  if (!account) return null
  const finish = estimateFinish(
    messages,
    accountPolicy(account),
    start,
    'direct',
    accountPacingState(account),
    accountEnv(account, start),
  )
  return finish.getTime() >= NEVER.getTime() ? null : finish
}

/** The wiring used by the server and the worker. */
export const campaignIntegrations: CampaignIntegrations = {
  segments: savedSegmentSource,
  referralAskList: async (db, at) =>
    (await referralAskList(db, at, { limit: 100_000 })).filter((a) => !a.optedOut).map((a) => a.memberId),
  benefitChangeNotices: pendingTierChangeNotices,
  superUserCandidates: rankedCandidates,
  issueCoupon: async (db, input) => {
    await issueCoupon(db, {
      templateId: Number(input.couponTemplateId),
      memberId: input.memberId,
      sourceKey: input.sourceKey,
      source: 'campaign',
      at: input.at,
    })
  },
  accountFinishEstimate: botPacingFinish,
}
