import { lt } from 'drizzle-orm'
import { memberSessions, operatorSessions } from '../../shared/db/schema/auth'
import type { JobDefinition } from '../scheduler'

export const coreJobs: JobDefinition[] = [
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
