import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { ApiRouter } from '../api-router'
import type { AppDeps } from '../deps'

export function registerHealth(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/healthz',
    {
      summary: '健康检查（含数据库）',
      response: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }),
    },
    async (_input, ctx) => {
      try {
        await deps.db.execute(sql`select 1`)
      } catch (err) {
        ctx.state.log.error({ err }, 'health check: database unreachable')
        ctx.status = 503
        ctx.body = { error: { code: 'database_unavailable', message: '数据库不可用' } }
        return
      }
      return { status: 'ok' as const, database: deps.config.databaseKind }
    },
  )
}
