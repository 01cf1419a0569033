// Every scheduled job of the system, in one place.
import { hostname } from 'node:os'
import { lt } from 'drizzle-orm'
import { memberSessions, operatorSessions } from '../shared/auth/schema'
import { expireDuePoints } from '../shared/loyalty/points'
import { campaignIntegrations } from '../shared/campaigns/integrations'
import { runDueCampaigns } from '../shared/campaigns/planner'
import { sendDueSubscribeMessages } from '../shared/campaigns/subscribe-delivery'
import type { SubscribeMessageClient } from '../shared/wechat/subscribe-message'
import type { JobDefinition } from './scheduler'
import { nightlyStatGroups, recomputeLifecycle } from '../shared/members/lifecycle'
import { allStatGroups } from '../shared/members/stats'
import { scoreDistribution } from '../shared/members/candidates'

/** Names this process in campaign run leases. */
const workerName = `${hostname()}:${process.pid}`

export const jobs: JobDefinition[] = [
  {
    name: 'member-lifecycle',
    schedule: '30 2 * * *',
    description: '每晚重算全部会员的订单指标、生命周期阶段和复购类型（写入阶段变化历史），并统计超级用户候选',
    async run({ db, clock }) {
      const at = clock.now()
      const r = await recomputeLifecycle(db, { all: true }, at, nightlyStatGroups)
      const c = await scoreDistribution(db, at)
      return `stats changed for ${r.statsChanged} members; ${r.changed} stage or label changes (${r.stageChanges} stage moves); ${c.candidates} candidates scoring 50+ of ${c.scored}`
    },
  },
  {
    name: 'member-stats-rebuild',
    schedule: '0 4 * * 0',
    description: '每周从订单、商品、事件和推荐全量重建会员统计，再重算阶段',
    async run({ db, clock }) {
      const r = await recomputeLifecycle(db, { all: true }, clock.now(), allStatGroups)
      return `rebuilt statistics: ${r.statsChanged} changed; ${r.changed} stage or label changes`
    },
  },
  {
    name: 'points-expiry',
    schedule: '5 0 * * *',
    description: '到期积分按每笔发放的有效期逐笔过期',
    async run({ db, clock }) {
      const r = await expireDuePoints(db, clock.now())
      return `expired ${r.points} points of ${r.members} members`
    },
  },
  {
    name: 'expired-sessions-cleanup',
    schedule: '17 4 * * *',
    description: '清理过期的登录会话',
    async run({ db, clock }) {
      const now = clock.now()
      const ops = await db
        .delete(operatorSessions)
        .where(lt(operatorSessions.expiresAt, now))
        .returning({ t: operatorSessions.tokenHash })
      const mps = await db
        .delete(memberSessions)
        .where(lt(memberSessions.expiresAt, now))
        .returning({ t: memberSessions.tokenHash })
      return `removed ${ops.length} operator and ${mps.length} member sessions`
    },
  },
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
]

/**
 * Sends the campaigns' mini-program subscribe messages: added to the scheduler by the process that has
 * the mini-program's credentials (an access-token provider for the client).
 */
export function campaignSubscribeMessagesJob(client: SubscribeMessageClient): JobDefinition {
  return {
    name: 'campaign-subscribe-messages',
    schedule: '* * * * *',
    description: '发送活动的小程序订阅消息（没有聊天联系方式的会员）',
    async run({ db, clock, logger }) {
      const r = await sendDueSubscribeMessages({ db, clock, logger, client }, 300)
      return `sent ${r.sent}, failed ${r.failed}, retry ${r.retry}, abandoned ${r.abandoned}`
    },
  }
}
