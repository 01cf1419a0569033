import { expireDuePoints } from '../../shared/points/ledger'
import { runTierEvaluation } from '../../shared/tiers/evaluation'
import { grantBirthdayGifts } from '../../shared/benefits/quotas'
import type { JobDefinition } from '../scheduler'

export const loyaltyJobs: JobDefinition[] = [
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
    name: 'tier-evaluation',
    schedule: '20 0 * * *',
    description: '每晚按现行（含已到生效日的排期）规则评估会员等级：升级、保级、降级',
    async run({ db, clock }) {
      const reports = await runTierEvaluation(db, clock.now())
      return reports
        .map(
          (r) =>
            `${r.ladder}: ${Object.entries(r.counts)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')}`,
        )
        .join('; ')
    },
  },
  {
    name: 'birthday-gifts',
    schedule: '0 9 * * *',
    description: '会员生日当天发放生日礼积分（含农历生日）',
    async run({ db, clock }) {
      const r = await grantBirthdayGifts(db, clock.now())
      return `gave ${r.points} birthday points to ${r.members} members`
    },
  },
]
