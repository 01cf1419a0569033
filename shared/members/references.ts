// Every column in the data model that points at a member. A merge re-points all of them (and an undo
// puts them back), so a table that gains a member column must be listed here — one place, checked by a
// test against the live schema.
export interface MemberReference {
  table: string
  column: string
  /** Rows unique per member (one points account, one share code): merged specially, not re-pointed. */
  uniquePerMember?: boolean
  /** Derived from other rows (statistics): deleted for the absorbed member and recomputed, never moved. */
  derived?: boolean
}

export const memberReferences: MemberReference[] = [
  { table: 'member_identities', column: 'member_id' },
  { table: 'member_tags', column: 'member_id' },
  { table: 'member_events', column: 'member_id' },
  { table: 'member_stage_changes', column: 'member_id' },
  { table: 'member_sessions', column: 'member_id' },
  { table: 'orders', column: 'member_id' },
  { table: 'orders', column: 'referrer_id' },
  { table: 'points_entries', column: 'member_id' },
  { table: 'points_accounts', column: 'member_id', uniquePerMember: true },
  { table: 'member_tiers', column: 'member_id' },
  { table: 'tier_changes', column: 'member_id' },
  { table: 'tier_change_notices', column: 'member_id' },
  { table: 'tier_renewals', column: 'member_id' },
  { table: 'benefit_usages', column: 'member_id' },
  { table: 'benefit_usages', column: 'friend_member_id' },
  { table: 'task_completions', column: 'member_id' },
  { table: 'redemptions', column: 'member_id' },
  { table: 'member_honours', column: 'member_id' },
  { table: 'referrals', column: 'referrer_id' },
  { table: 'referrals', column: 'referee_id' },
  { table: 'share_codes', column: 'member_id', uniquePerMember: true },
  { table: 'referral_touches', column: 'member_id' },
  { table: 'promoters', column: 'member_id', uniquePerMember: true },
  { table: 'survey_responses', column: 'member_id' },
  { table: 'advocacy_asks', column: 'member_id' },
  { table: 'outbound_messages', column: 'member_id' },
  { table: 'chat_bind_codes', column: 'member_id' },
  { table: 'chat_group_members', column: 'member_id' },
  { table: 'chat_tickets', column: 'member_id' },
  { table: 'advisor_reassignments', column: 'member_id' },
  { table: 'cart_items', column: 'member_id' },
  { table: 'member_addresses', column: 'member_id' },
  { table: 'member_coupons', column: 'member_id' },
  { table: 'flash_sale_purchases', column: 'member_id' },
  { table: 'group_buy_groups', column: 'leader_id' },
  { table: 'group_buy_participants', column: 'member_id' },
  { table: 'member_stats', column: 'member_id', uniquePerMember: true, derived: true },
  /**
   * Unique per (run, member). Merged as one-per-member so that two records of one person who were both
   * in a run cannot make the merge fail; the absorbed member's rows are kept for undo.
   */
  { table: 'campaign_recipients', column: 'member_id', uniquePerMember: true },
  /** Unique per (member, template): merged by adding the consents left. */
  { table: 'subscribe_consents', column: 'member_id', uniquePerMember: true },
  { table: 'member_service_dates', column: 'member_id' },
  { table: 'bargains', column: 'member_id' },
  { table: 'bargain_helps', column: 'helper_id' },
  { table: 'lottery_draw_grants', column: 'member_id' },
  { table: 'lottery_draws', column: 'member_id' },
  { table: 'after_sale_requests', column: 'member_id' },
  { table: 'store_purchases', column: 'member_id' },
]
