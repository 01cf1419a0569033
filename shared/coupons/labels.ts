// Chinese names for coupon kinds and where coupons came from: one table for the console and the mini-program.
import type { couponKinds } from '../db/schema/coupons'

export const couponKindNames: Record<(typeof couponKinds)[number], string> = {
  fixed: '立减券',
  threshold: '满减券',
  percentage: '折扣券',
}

export const couponSourceNames: Record<string, string> = {
  operator: '运营发放',
  points: '积分兑换',
  campaign: '营销活动',
  group_buy: '拼团',
  lottery: '抽奖',
}
