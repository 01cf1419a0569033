// Every scheduled job of the system, in one place.
import { lt } from 'drizzle-orm'
import { memberSessions, operatorSessions } from '../shared/auth/schema'
import { expireDuePoints } from '../shared/loyalty/points'
import { releaseFrozenCommissions } from '../shared/referral/commissions'
import { refreshReferralStats } from '../shared/referral/stats'
import type { JobDefinition } from './scheduler'

export const jobs: JobDefinition[] = [
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
]
