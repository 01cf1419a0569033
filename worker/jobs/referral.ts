import { releaseFrozenCommissions } from '../../shared/referral/commissions'
import { refreshReferralStats } from '../../shared/referral/stats'
import type { JobDefinition } from '../scheduler'

export const referralJobs: JobDefinition[] = [
  {
    name: 'commission-release',
    schedule: '*/15 * * * *',
    description: '退货期结束的佣金解冻为可提现',
    async run({ db, clock }) {
      const r = await releaseFrozenCommissions(db, clock.now())
      return `released ${r.fen} fen of ${r.commissions} commissions`
    },
  },
  {
    name: 'referral-stats',
    schedule: '7 * * * *',
    description: '重新计算每位会员的直接与全部推荐人数、层级（超级传播者名单）',
    async run({ db, clock }) {
      const r = await refreshReferralStats(db, clock.now())
      return `${r.members} members in the referral forest, max depth ${r.maxDepth}`
    },
  },
]
