// A request id on every request (taken from X-Request-Id when sane), a child logger carrying it, and
// one access log line per request. The child logger is made on first use: most requests never log
// anything but the access line, and that only when the level lets it through.
import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '../../shared/logger'
import type { AppState } from '../deps'

/** Add bindings (member or operator id) to the request's logger, without making it before it is needed. */
export function bindLog(state: AppState, bindings: Record<string, unknown>): void {
  const pending = pendingBindings.get(state)
  if (pending) Object.assign(pending, bindings)
  else state.log = state.log.child(bindings)
}

/** Bindings of requests whose logger is not made yet. */
const pendingBindings = new WeakMap<AppState, Record<string, unknown>>()

export function requestContext(logger: Logger): Middleware<AppState> {
  const accessLog = logger.isLevelEnabled('info')
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id')
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    const bindings: Record<string, unknown> = { requestId }
    let log: Logger | undefined
    pendingBindings.set(ctx.state, bindings)
    Object.defineProperty(ctx.state, 'log', {
      configurable: true,
      enumerable: true,
      get: () => {
        if (!log) {
          log = logger.child(bindings)
          pendingBindings.delete(ctx.state)
        }
        return log
      },
      set: (value: Logger) => {
        log = value
        pendingBindings.delete(ctx.state)
      },
    })
    ctx.set('X-Request-Id', requestId)
    const started = performance.now()
    try {
      await next()
    } finally {
      if (accessLog)
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
