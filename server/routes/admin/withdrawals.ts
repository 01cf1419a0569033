// Withdrawal requests for operators: the queue by state, and approve / reject / mark paid.
import { z } from 'zod'
import {
  actOnWithdrawal,
  listWithdrawals,
  presentWithdrawal,
  requestWithdrawal,
  withdrawalViewSchema,
} from '../../../shared/referral/withdrawals'
import { withdrawalStates } from '../../../shared/db/schema/referral'
import { getPromoter } from '../../../shared/referral/promoters'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { paging } from './referrals-access'

const withdrawalParams = z.object({ withdrawalId: z.coerce.number().int().positive() })

export function registerAdminWithdrawals(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/withdrawals',
    {
      summary: '提现申请列表',
      query: z.object({
        state: z.enum(withdrawalStates).optional(),
        promoterId: z.coerce.number().int().positive().optional(),
        ...paging,
      }),
      response: z.object({ items: z.array(withdrawalViewSchema) }),
    },
    async ({ query }) => ({
      items: await listWithdrawals(deps.db, { ...query, states: query.state ? [query.state] : undefined }),
    }),
  )

  api.post(
    '/withdrawals',
    {
      summary: '代推广员（如员工）发起提现',
      body: z
        .object({ promoterId: z.number().int().positive(), amountFen: z.number().int().positive() })
        .strict(),
      status: 201,
      response: withdrawalViewSchema,
    },
    async ({ body }) => {
      await getPromoter(deps.db, body.promoterId)
      return presentWithdrawal(await requestWithdrawal(deps.db, { ...body, at: deps.clock.now() }))
    },
  )

  for (const [action, summary] of [
    ['approve', '审核通过提现'],
    ['reject', '驳回提现（金额退回可提现）'],
    ['pay', '标记提现已打款'],
  ] as const) {
    api.post(
      `/withdrawals/:withdrawalId/${action}`,
      {
        summary,
        params: withdrawalParams,
        body: z.object({ note: z.string().trim().max(200).optional() }).strict(),
        response: withdrawalViewSchema,
      },
      async ({ params, body }, ctx) =>
        presentWithdrawal(
          await actOnWithdrawal(deps.db, {
            withdrawalId: params.withdrawalId,
            action,
            at: deps.clock.now(),
            operatorId: ctx.state.operator!.id,
            note: body.note,
          }),
        ),
    )
  }
}
