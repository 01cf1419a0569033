// The referrer's points rebate on a friend's order, as the loyalty programme's points policy sets it
// (shared/points/earning.ts), plugged into the referral flow's hook.
import { rebatePointsForReferredOrder, reverseReferralRebate } from '../points/earning'
import type { ReferredOrderHooks } from '../referral/order-attribution'

export const referralRebate: NonNullable<ReferredOrderHooks['rebate']> = {
  onPaid: (db, { order, referrerMemberId, at }) =>
    rebatePointsForReferredOrder(db, order.id, referrerMemberId, at),
  onRefunded: (db, { order, at }) => reverseReferralRebate(db, order.orderNo, at),
}
