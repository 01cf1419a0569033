// Operators' bargain campaigns.
import { z } from 'zod'
import {
  bargainCampaignInputSchema,
  createBargainCampaign,
  endBargainCampaign,
  listBargainCampaigns,
} from '../../../shared/bargain/service'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminBargains(api: ApiRouter, deps: AppDeps): void {
  api.get('/bargain-campaigns', { summary: '砍价活动（含已结束）' }, () =>
    listBargainCampaigns(deps.db, deps.clock.now(), { includeEnded: true }),
  )
  api.post(
    '/bargain-campaigns',
    {
      summary: '新建砍价活动（数量从商品库存中划出）',
      description: '每位好友砍一刀，金额按二倍均值法随机，最后一位好友恰好砍到底价。',
      body: bargainCampaignInputSchema,
      status: 201,
    },
    ({ body }) => createBargainCampaign(deps.db, body),
  )
  api.post(
    '/bargain-campaigns/:id/end',
    { summary: '结束砍价活动（未售出数量退回商品库存）', params: idParams },
    ({ params }) => endBargainCampaign(deps.db, params.id, deps.clock.now()),
  )
}
