// Chinese names for the codes the API returns come from the member model's one table
// (shared/members/labels.ts); the console adds only colours.
import type { FunnelStage } from '../../shared/reports/stages'
import {
  genderNames,
  identityKindNames,
  memberEventLabels,
  repurchaserAdvice,
  sourceNames,
  stageNames,
} from '../../shared/members/labels'
import { roleNames } from '../../shared/auth/labels'
import {
  accountStateNames,
  actionKindNames,
  groupPurposeNames,
  outboundStatusNames,
} from '../../shared/chat/labels'
import { messageOriginNames, messageStatusNames, ticketCategoryNames } from '../../shared/chat/labels'
export {
  campaignChannelNames as campaignChannelLabels,
  campaignKindDescriptions,
  campaignKindNames as campaignKindLabels,
  campaignRunStatusNames as campaignRunStatusLabels,
  campaignStatusNames as campaignStatusLabels,
  cohortNames as cohortLabels,
  recipientChannelNames as recipientChannelLabels,
  scheduleTypeNames as scheduleTypeLabels,
  unreachableReasonNames as unreachableReasonLabels,
} from '../../shared/campaigns/labels'
import { afterSaleKindNames, afterSaleStatusNames } from '../../shared/after-sale/labels'
import { couponKindNames, couponSourceNames } from '../../shared/coupons/labels'
import { orderStatusNames, productStatusNames, refundStatusNames } from '../../shared/orders/labels'

export const stageLabels: Record<FunnelStage, string> = stageNames

export const stageColors: Record<FunnelStage, string> = {
  stranger: 'default',
  intention: 'blue',
  customer: 'cyan',
  repurchaser: 'purple',
  super_user: 'gold',
}

export const repurchaserKindLabels: Record<string, string> = Object.fromEntries(
  Object.entries(repurchaserAdvice).map(([code, advice]) => [code, advice.name]),
)

export const identityKindLabels: Record<string, string> = identityKindNames

export const genderLabels: Record<string, string> = genderNames

export const sourceLabels: Record<string, string> = sourceNames

export const eventLabels: Record<string, string> = memberEventLabels

export const roleLabels: Record<string, string> = roleNames

export const accountStateLabels: Record<string, string> = accountStateNames

export const accountStateColors: Record<string, string> = {
  needs_scan: 'orange',
  online: 'green',
  limited: 'gold',
  logged_out: 'default',
  banned: 'red',
  disabled: 'default',
  error: 'volcano',
}

export const actionKindLabels: Record<string, string> = actionKindNames

export const outboundStatusLabels: Record<string, string> = outboundStatusNames

export const groupPurposeLabels: Record<string, string> = groupPurposeNames
export const messageOriginLabels: Record<string, string> = messageOriginNames

export const messageStatusLabels: Record<string, string> = messageStatusNames

export const ticketCategoryLabels: Record<string, string> = ticketCategoryNames
export const orderStatusLabels: Record<string, string> = orderStatusNames

export const orderStatusColors: Record<string, string> = {
  pending: 'default',
  paid: 'orange',
  shipped: 'blue',
  completed: 'green',
  cancelled: 'default',
  refunded: 'red',
}

export const refundStatusLabels: Record<string, string> = refundStatusNames

export const productStatusLabels: Record<string, string> = productStatusNames

export const label = (labels: Record<string, string>, code: string | null) =>
  code === null ? '—' : (labels[code] ?? code)

export const campaignStatusColors: Record<string, string> = {
  draft: 'default',
  approved: 'green',
  paused: 'orange',
  archived: 'default',
}
export {
  benefitKindNames as benefitKindLabels,
  quotaPeriodNames as quotaPeriodLabels,
  downgradeTargetNames as downgradeTargetLabels,
  ladderBasisNames as ladderBasisLabels,
  ladderKindNames as ladderKindLabels,
  pointsEntryKindNames as pointsEntryKindLabels,
  redemptionStatusNames as redemptionStatusLabels,
  rewardKindNames as rewardKindLabels,
  spendWindowNames as spendWindowLabels,
  tierMoveNames as tierMoveLabels,
} from '../../shared/tiers/labels'
export const afterSaleKindLabels: Record<string, string> = afterSaleKindNames

export const afterSaleStatusLabels: Record<string, string> = afterSaleStatusNames

export const couponKindLabels: Record<string, string> = couponKindNames

export const couponSourceLabels: Record<string, string> = couponSourceNames
