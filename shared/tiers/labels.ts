// What operators read for the codes of the loyalty programme: ladder kinds and bases, the spend windows
// and downgrade targets of tier rules, tier moves, points entries and reward kinds. Plain data with
// type-only imports: the rules' reasons, the server and the console all read this one table.
import type { BenefitKind, PointsEntryKind, RewardKind, TierChangeKind } from '../db/schema/loyalty'

export const ladderKindNames: Record<'vertical' | 'horizontal', string> = {
  vertical: '纵向等级',
  horizontal: '横向卡种',
}

export const ladderBasisNames: Record<'paid' | 'spend' | 'growth' | 'eligibility', string> = {
  paid: '付费开通',
  spend: '按消费',
  growth: '按成长值',
  eligibility: '符合条件即得',
}

export const spendWindowNames: Record<'rolling_year' | 'calendar_year' | 'period', string> = {
  rolling_year: '近一年',
  calendar_year: '本自然年',
  period: '本会员周期',
}

export const downgradeTargetNames: Record<'one_level' | 'spend_level' | 'lapse', string> = {
  one_level: '降一级',
  spend_level: '降至消费对应的等级',
  lapse: '失去等级',
}

/** A tier move, and `unchanged` / `skipped` as a pass counts them. */
export const tierMoveNames: Record<TierChangeKind | 'unchanged' | 'skipped' | 'none', string> = {
  join: '获得等级',
  up: '升级',
  renew: '续期保级',
  down: '降级',
  lapse: '失去等级',
  manual: '人工调整',
  unchanged: '保持不变',
  none: '保持不变',
  skipped: '已跳过',
}

export const pointsEntryKindNames: Record<PointsEntryKind, string> = {
  earn: '获得',
  spend: '使用',
  expire: '过期',
  adjust: '调整',
  reverse: '冲回',
}

export const rewardKindNames: Record<RewardKind, string> = {
  voucher: '优惠券',
  gift: '实物礼品',
  privilege: '特权',
}

export const redemptionStatusNames: Record<'issued' | 'fulfilled' | 'cancelled', string> = {
  issued: '待交付',
  fulfilled: '已交付',
  cancelled: '已取消',
}

export const benefitKindNames: Record<BenefitKind, string> = {
  member_price: '会员价',
  quota: '按周期限次',
  birthday_gift: '生日礼',
  friend_pass: '亲友可用',
}

export const quotaPeriodNames: Record<string, string> = {
  year: '每年',
  month: '每月',
  tier_period: '每个会员周期',
}
