// Operators' view of commission: every commission with its state, and a promoter's balances.
import { z } from 'zod'
import { commissionViewSchema, listCommissions } from '../../../shared/referral/commissions'
import { commissionBalanceOf } from '../../../shared/referral/commission-ledger'
import { getPromoter } from '../../../shared/referral/promoters'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { paging } from './referrals-access'

export const balanceSchema = z.object({
  frozenFen: z.number().int(),
  availableFen: z.number().int(),
  withdrawingFen: z.number().int(),
  withdrawnFen: z.number().int(),
})

export function registerAdminCommissions(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/commissions',
    {
      summary: '佣金明细（冻结、可提现、已冲回）',
      query: z.object({
        promoterId: z.coerce.number().int().positive().optional(),
        state: z.enum(['frozen', 'available', 'reversed']).optional(),
        ...paging,
      }),
      response: z.object({ items: z.array(commissionViewSchema) }),
    },
    async ({ query }) => ({ items: await listCommissions(deps.db, query) }),
  )

  api.get(
    '/commissions/accounts/:promoterId',
    {
      summary: '推广员佣金账户余额',
      params: z.object({ promoterId: z.coerce.number().int().positive() }),
      response: balanceSchema.extend({ promoterId: z.number().int() }),
    },
    async ({ params }) => {
      await getPromoter(deps.db, params.promoterId)
      return { promoterId: params.promoterId, ...(await commissionBalanceOf(deps.db, params.promoterId)) }
    },
  )
}
