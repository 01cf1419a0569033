// Names for the response shapes the pages read, all taken from the types generated from the server's
// OpenAPI document (see api-types.ts): a change on the server shows up here at typecheck.
import type { ResponseOf } from './api-types'

export type Category = ResponseOf<'categories'>[number]
export type ProductPage = ResponseOf<'products'>
export type ProductCard = ProductPage['items'][number]
export type ProductDetail = ResponseOf<'product'>
export type Sku = ProductDetail['skus'][number]
export type MembershipForSale = ResponseOf<'memberships'>[number]
export type FlashSale = ResponseOf<'flashSales'>[number]
export type GroupBuy = ResponseOf<'groupBuys'>[number]
export type JoinableGroup = ResponseOf<'joinableGroups'>[number]
export type GroupView = ResponseOf<'group'>
export type CartView = ResponseOf<'cart'>
export type CartItem = CartView['items'][number]
export type Address = ResponseOf<'addresses'>[number]
export type MemberCoupon = ResponseOf<'coupons'>[number]
export type Quote = ResponseOf<'previewOrder'>
export type OrderView = ResponseOf<'order'>
export type PayResult = ResponseOf<'payOrder'>
export type MemberCard = ResponseOf<'card'>
export type MemberProfile = ResponseOf<'me'>
export type BindCode = ResponseOf<'advisorBindCode'>
export type PointsHistory = ResponseOf<'points'>
export type MemberTask = ResponseOf<'tasks'>[number]
export type TaskCompletion = ResponseOf<'checkIn'>
export type RewardCatalogue = ResponseOf<'rewards'>
export type RewardItem = RewardCatalogue['items'][number]
export type RedeemResult = ResponseOf<'redeemReward'>
export type ShareTarget = ResponseOf<'referralCode'>
export type Referrals = ResponseOf<'referralMine'>
export type ClaimResult = ResponseOf<'referralClaim'>
export type PendingSurvey = ResponseOf<'pendingSurvey'>
export type RedemptionRecord = ResponseOf<'redemptions'>[number]
