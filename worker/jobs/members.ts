import { recomputeLifecycle } from '../../shared/members/lifecycle'
import { nightlyMemberPass } from '../../shared/segments/nightly'
import { allStatGroups } from '../../shared/members/stats'
import type { JobDefinition } from '../scheduler'

export const memberJobs: JobDefinition[] = [
  {
    name: 'member-lifecycle',
    schedule: '30 2 * * *',
    description:
      '每晚更新时间窗口指标（近 90/180/365 天订单、近 30 天互动）有变化的会员，重算全部会员的生命周期阶段和复购类型（写入阶段变化历史），并统计超级用户候选和各现成人群的人数',
    async run({ db, clock }) {
      const r = await nightlyMemberPass(db, clock.now())
      const c = r.overview.candidates
      return `${r.windowsRebuilt ? 'statistics rebuilt' : 'windows moved on'}: ${r.statsChanged} rows changed; ${r.changed} stage or label changes (${r.stageChanges} stage moves); ${c.scoring50Plus} candidates scoring 50+ of ${c.scored}`
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
]
