// The member promoter's side of distribution: join, my commission (frozen / available / withdrawn),
// its records, and my withdrawals.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { enrolPromoter, promoterBySharer } from '../../../shared/referral/promoters'
import { commissionBalanceOf } from '../../../shared/referral/commission-ledger'
import { commissionViewSchema, listCommissions } from '../../../shared/referral/commissions'
import {
  actOnWithdrawal,
  listWithdrawals,
  presentWithdrawal,
  requestWithdrawal,
  withdrawalViewSchema,
} from '../../../shared/referral/withdrawals'
import { getReferralSettings } from '../../../shared/referral/settings'
import { promoterLevels } from '../../../shared/db/schema/referral'
import { DomainError } from '../../../shared/errors'
import type { Db } from '../../../shared/db/client'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { balanceSchema } from '../admin/commissions'

async function myPromoter(db: Db, memberId: number) {
  const p = await promoterBySharer(db, { memberId })
  if (!p) throw new DomainError('not_a_promoter', '您还不是推广员', 404)
  return p
}

const paging = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
})

export function registerMpCommission(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/commission',
    {
      summary: '我的佣金',
      response: z.object({
        promoter: z
          .object({ id: z.number().int(), levelName: z.string(), status: z.enum(['active', 'suspended']) })
          .nullable(),
        canJoin: z.boolean(),
        balance: balanceSchema,
        minWithdrawalFen: z.number().int(),
      }),
    },
    async (_input, ctx) => {
      const settings = await getReferralSettings(deps.db)
      const p = await promoterBySharer(deps.db, { memberId: ctx.state.memberId! })
      const level = p
        ? (await deps.db.select().from(promoterLevels).where(eq(promoterLevels.id, p.levelId)))[0]
        : undefined
      return {
        promoter: p ? { id: p.id, levelName: level?.name ?? '', status: p.status } : null,
        canJoin: !p && settings.openEnrolment,
        balance: p
          ? await commissionBalanceOf(deps.db, p.id)
          : { frozenFen: 0, availableFen: 0, withdrawingFen: 0, withdrawnFen: 0 },
        minWithdrawalFen: settings.minWithdrawalFen,
      }
    },
  )

  api.post(
    '/commission/join',
    {
      summary: '成为推广员',
      status: 201,
      response: z.object({ promoterId: z.number().int(), created: z.boolean() }),
    },
    async (_input, ctx) => {
      if (!(await getReferralSettings(deps.db)).openEnrolment)
        throw new DomainError('enrolment_closed', '推广员暂不开放自助加入，请联系顾问', 403)
      const r = await enrolPromoter(deps.db, { memberId: ctx.state.memberId! }, { at: deps.clock.now() })
      return { promoterId: r.promoter.id, created: r.created }
    },
  )

  api.get(
    '/commission/records',
    {
      summary: '我的佣金明细',
      query: paging.extend({ state: z.enum(['frozen', 'available', 'reversed']).optional() }),
      response: z.object({ items: z.array(commissionViewSchema) }),
    },
    async ({ query }, ctx) => {
      const p = await myPromoter(deps.db, ctx.state.memberId!)
      return { items: await listCommissions(deps.db, { ...query, promoterId: p.id }) }
    },
  )

  api.get(
    '/commission/withdrawals',
    { summary: '我的提现记录', query: paging, response: z.object({ items: z.array(withdrawalViewSchema) }) },
    async ({ query }, ctx) => {
      const p = await myPromoter(deps.db, ctx.state.memberId!)
      return { items: await listWithdrawals(deps.db, { ...query, promoterId: p.id }) }
    },
  )

  api.post(
    '/commission/withdrawals',
    {
      summary: '申请提现',
      body: z.object({ amountFen: z.number().int().positive('提现金额必须大于 0') }).strict(),
      status: 201,
      response: withdrawalViewSchema,
    },
    async ({ body }, ctx) => {
      const p = await myPromoter(deps.db, ctx.state.memberId!)
      if (p.status !== 'active')
        throw new DomainError('promoter_suspended', '推广资格已暂停，暂不能提现', 403)
      return presentWithdrawal(
        await requestWithdrawal(deps.db, {
          promoterId: p.id,
          amountFen: body.amountFen,
          at: deps.clock.now(),
        }),
      )
    },
  )

  api.post(
    '/commission/withdrawals/:withdrawalId/cancel',
    {
      summary: '取消待审核的提现',
      params: z.object({ withdrawalId: z.coerce.number().int().positive() }),
      response: withdrawalViewSchema,
    },
    async ({ params }, ctx) => {
      const p = await myPromoter(deps.db, ctx.state.memberId!)
      return presentWithdrawal(
        await actOnWithdrawal(deps.db, {
          withdrawalId: params.withdrawalId,
          action: 'cancel',
          promoterId: p.id,
          at: deps.clock.now(),
        }),
      )
    },
  )
}
