// A request id on every request (taken from X-Request-Id when sane), a child logger carrying it,
// and one access log line per request.
import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '../../shared/logger'
import type { AppState } from '../deps'

export function requestContext(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id')
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    ctx.state.log = logger.child({ requestId })
    ctx.set('X-Request-Id', requestId)
    const started = performance.now()
    try {
      await next()
    } finally {
      ctx.state.log.info(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      )
    }
  }
}
