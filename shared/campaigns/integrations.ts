// What campaigns take from other domains, as interfaces with one default wiring. An audience whose
// source lives in another domain (saved segments, the referral ask list, tier rule-change notices,
// super-user candidates, coupons) is plugged in here; where no source is wired, the kind either falls
// back to plain SQL over the shared data model or refuses with a clear 409.
import type { SQL } from 'drizzle-orm'
import type { Db } from '../db/client'

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
}

/** The wiring used by the server and the worker. */
export const campaignIntegrations: CampaignIntegrations = {
  segments: null,
  referralAskList: null,
  benefitChangeNotices: null,
  superUserCandidates: null,
  issueCoupon: null,
}
