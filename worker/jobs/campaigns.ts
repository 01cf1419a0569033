import { hostname } from 'node:os'
import { campaignIntegrations } from '../../shared/campaigns/integrations'
import { runDueCampaigns } from '../../shared/campaigns/planner'
import { sendDueSubscribeMessages } from '../../shared/campaigns/subscribe-delivery'
import { wechatClients } from '../../shared/wechat/clients'
import type { JobDefinition } from '../scheduler'

/** Names this process in campaign run leases. */
const workerName = `${hostname()}:${process.pid}`

export const campaignJobs: JobDefinition[] = [
  {
    name: 'campaigns',
    schedule: '*/5 * * * *',
    description: '到点的活动开始发送（节日当天、每天的生日与提醒、一次性活动），中断的发送接着完成',
    async run({ db, clock, logger }) {
      const r = await runDueCampaigns({
        db,
        clock,
        logger,
        integrations: campaignIntegrations,
        owner: workerName,
      })
      return `started ${r.started} runs, planned ${r.planned}, ${r.failed} failed or interrupted`
    },
  },
  {
    name: 'campaign-subscribe-messages',
    schedule: '* * * * *',
    description: '发送活动的小程序订阅消息（没有聊天联系方式的会员）',
    async run({ db, clock, logger, config }) {
      const mp = config ? wechatClients({ db, config, clock }).mp : null
      if (!mp) return 'mini-program not configured'
      const r = await sendDueSubscribeMessages({ db, clock, logger, client: mp }, 300)
      return `sent ${r.sent}, failed ${r.failed}, retry ${r.retry}, abandoned ${r.abandoned}`
    },
  },
]
