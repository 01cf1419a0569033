// The demo brand's loyalty programme: tier rules for the paid VIP ladder, the spend levels and the
// maternity card; benefits per level; earning tasks; a redemption catalogue. Safe to run again (it only
// adds what is missing), so batches of seeded members each get their current tier periods.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import {
  benefits,
  pointsTasks,
  rewards,
  tierLadders,
  tierLevels,
  tierRuleSets,
  type LevelBenefit,
} from '../db/schema/loyalty'
import type { TierRuleInput } from '../tiers/rules'

const RULES_SINCE = new Date('2024-01-01T00:00:00+08:00')

export const demoTierRules: Record<string, TierRuleInput[]> = {
  vip: [
    {
      code: 'upgrade_by_spend',
      args: { from: 'V1', to: 'V2', minSpendFen: 1_000_000, window: 'rolling_year' },
    },
    {
      code: 'upgrade_by_spend',
      args: { from: 'V2', to: 'V3', minSpendFen: 3_000_000, window: 'rolling_year' },
    },
    { code: 'retain_by_spend', args: { minSpendFen: 300_000, window: 'period' } },
    { code: 'retain_with_points', args: { maxFeeFen: 5000, pointsPerYuan: 100 } },
    { code: 'downgrade_at_period_end', args: { to: 'one_level' } },
  ],
  spend: [
    { code: 'level_by_spend', args: { window: 'rolling_year' } },
    { code: 'downgrade_at_period_end', args: { to: 'spend_level', window: 'rolling_year' } },
  ],
  maternity: [{ code: 'card_eligibility', args: { anyTags: ['母婴'], anyCategories: ['母婴'] } }],
}

const demoBenefits = [
  { code: 'member_price_95', name: '会员价 95 折', kind: 'member_price' as const, args: { discountPct: 95 } },
  { code: 'member_price_90', name: '会员价 9 折', kind: 'member_price' as const, args: { discountPct: 90 } },
  {
    code: 'free_return_shipping',
    name: '免费退换货运费',
    kind: 'quota' as const,
    description: '退换货运费由品牌承担',
    args: { period: 'year', defaultQuota: 2 },
  },
  {
    code: 'styling_session',
    name: '专属美妆顾问服务',
    kind: 'quota' as const,
    description: '到店或视频一对一妆容与护肤指导',
    args: { period: 'tier_period', defaultQuota: 3 },
  },
  { code: 'birthday_gift', name: '生日礼', kind: 'birthday_gift' as const, args: { points: 200 } },
  { code: 'birthday_gift_plus', name: '尊享生日礼', kind: 'birthday_gift' as const, args: { points: 800 } },
  {
    code: 'friend_trial_kit',
    name: '亲友体验装',
    kind: 'friend_pass' as const,
    description: '送好友一份体验装，由好友本人领取',
    args: { period: 'year', defaultQuota: 1 },
  },
  {
    code: 'mom_sample_box',
    name: '孕妈试用装',
    kind: 'quota' as const,
    description: '每月一份孕期安心护肤试用装',
    args: { period: 'month', defaultQuota: 1 },
  },
]

/** [ladder, level, benefits] */
const demoLevelBenefits: [string, string, LevelBenefit[]][] = [
  [
    'vip',
    'V1',
    [{ code: 'member_price_95' }, { code: 'free_return_shipping', quota: 2 }, { code: 'birthday_gift' }],
  ],
  [
    'vip',
    'V2',
    [
      { code: 'member_price_90' },
      { code: 'free_return_shipping', quota: 4 },
      { code: 'styling_session', quota: 3 },
      { code: 'birthday_gift' },
      { code: 'friend_trial_kit', quota: 2 },
    ],
  ],
  [
    'vip',
    'V3',
    [
      { code: 'member_price_90' },
      { code: 'free_return_shipping', quota: 6 },
      { code: 'styling_session', quota: 6 },
      { code: 'birthday_gift_plus' },
      { code: 'friend_trial_kit', quota: 4 },
    ],
  ],
  ['spend', 'silver', [{ code: 'birthday_gift' }]],
  ['spend', 'gold', [{ code: 'birthday_gift' }, { code: 'free_return_shipping', quota: 2 }]],
  [
    'spend',
    'black',
    [
      { code: 'birthday_gift_plus' },
      { code: 'free_return_shipping', quota: 6 },
      { code: 'friend_trial_kit', quota: 2 },
    ],
  ],
  ['maternity', 'mom', [{ code: 'mom_sample_box', quota: 1 }]],
]

const demoTasks = [
  {
    code: 'complete_profile',
    name: '完善个人资料',
    points: 50,
    limitPer: 'once' as const,
    limitTimes: 1,
    sort: 1,
    args: {},
  },
  {
    code: 'follow_official_account',
    name: '关注品牌公众号',
    points: 30,
    limitPer: 'once' as const,
    limitTimes: 1,
    sort: 2,
    args: {},
  },
  {
    code: 'daily_check_in',
    name: '每日签到',
    description: '连续签到第 3 天额外 +10，第 7 天额外 +30',
    points: 5,
    limitPer: 'day' as const,
    limitTimes: 1,
    sort: 3,
    args: {
      streakBonuses: [
        { day: 3, points: 10 },
        { day: 7, points: 30 },
      ],
      cycleDays: 7,
    },
  },
  {
    code: 'share',
    name: '分享好物给好友',
    description: '每天前 3 次分享得积分',
    points: 10,
    limitPer: 'day' as const,
    limitTimes: 3,
    sort: 4,
    args: {},
  },
]

const demoRewards = [
  {
    code: 'voucher-20',
    name: '¥20 无门槛优惠券',
    kind: 'voucher' as const,
    pointsCost: 2000,
    args: { faceValueFen: 2000, minSpendFen: 0, validDays: 30 },
    sort: 1,
  },
  {
    code: 'voucher-50',
    name: '满 ¥399 减 ¥50 优惠券',
    kind: 'voucher' as const,
    pointsCost: 3000,
    args: { faceValueFen: 5000, minSpendFen: 39900, validDays: 30 },
    sort: 2,
  },
  {
    code: 'gift-hand-cream',
    name: '护手霜旅行装',
    kind: 'gift' as const,
    pointsCost: 1500,
    stock: 200,
    perMemberLimit: 2,
    args: { delivery: 'mail' },
    sort: 3,
  },
  {
    code: 'gift-candle',
    name: '香薰蜡烛 200g',
    kind: 'gift' as const,
    pointsCost: 6000,
    stock: 30,
    perMemberLimit: 1,
    args: { delivery: 'mail' },
    sort: 4,
  },
  {
    code: 'privilege-skin-analysis',
    name: '一对一肤质分析',
    kind: 'privilege' as const,
    description: '专属顾问视频一对一肤质分析与护肤方案',
    pointsCost: 3000,
    perMemberLimit: 1,
    args: { validDays: 90 },
    sort: 5,
  },
]

export async function seedLoyaltyDemo(db: Db, now: Date): Promise<void> {
  await db.insert(benefits).values(demoBenefits).onConflictDoNothing()
  await db.insert(pointsTasks).values(demoTasks).onConflictDoNothing()
  await db.insert(rewards).values(demoRewards).onConflictDoNothing()
  for (const [ladderCode, levelCode, list] of demoLevelBenefits) {
    await db
      .update(tierLevels)
      .set({ benefits: list })
      .where(
        sql`${tierLevels.code} = ${levelCode} and ${tierLevels.benefits} = '[]'::jsonb and ${tierLevels.ladderId} = (select id from tier_ladders where code = ${ladderCode})`,
      )
  }
  for (const [code, rules] of Object.entries(demoTierRules)) {
    const [ladder] = await db.select().from(tierLadders).where(eq(tierLadders.code, code))
    if (!ladder) continue
    const [existing] = await db
      .select({ id: tierRuleSets.id })
      .from(tierRuleSets)
      .where(eq(tierRuleSets.ladderId, ladder.id))
    if (!existing)
      await db.insert(tierRuleSets).values({
        ladderId: ladder.id,
        rules: rules as { code: string; args: Record<string, unknown> }[],
        effectiveAt: RULES_SINCE,
        note: '初始规则',
      })
  }
  // Spend levels run in yearly periods from the day they were reached: the current period of each.
  await db.execute(sql`
    update member_tiers mt set
      starts_at = mt.starts_at + make_interval(years => extract(year from age(${now.toISOString()}::timestamptz, mt.starts_at))::int),
      ends_at = mt.starts_at + make_interval(years => extract(year from age(${now.toISOString()}::timestamptz, mt.starts_at))::int + 1)
    from tier_ladders l
    where l.id = mt.ladder_id and l.code = 'spend' and mt.ends_at is null`)
}
