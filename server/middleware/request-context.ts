// A request id on every request (taken from X-Request-Id when sane), a child logger carrying it, and
// one access log line per request. The child logger is made on first use: most requests never log
// anything but the access line, and that only when the level lets it through.
import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '../../shared/logger'
import type { AppState } from '../deps'

/** Add bindings (member or operator id) to the request's logger, without making it before it is needed. */
export function bindLog(state: AppState, bindings: Record<string, unknown>): void {
  const log = requestLogs.get(state)
  if (log?.pending) Object.assign(log.bindings, bindings)
  else state.log = state.log.child(bindings)
}

/** The request's logger, made from the root logger on first use with the bindings gathered so far. */
class RequestLog {
  private made: Logger | undefined
  constructor(
    private readonly root: Logger,
    readonly bindings: Record<string, unknown>,
  ) {}

  get(): Logger {
    this.made ??= this.root.child(this.bindings)
    return this.made
  }

  set(logger: Logger): void {
    this.made = logger
  }

  get pending(): boolean {
    return this.made === undefined
  }
}

const requestLogs = new WeakMap<AppState, RequestLog>()

/** Installs `state.log` as a property reading the request's lazily made logger. */
const logProperty: PropertyDescriptor & ThisType<AppState> = {
  configurable: true,
  enumerable: true,
  get(this: AppState) {
    return requestLogs.get(this)!.get()
  },
  set(this: AppState, logger: Logger) {
    requestLogs.get(this)!.set(logger)
  },
}

export function requestContext(logger: Logger): Middleware<AppState> {
  const accessLog = logger.isLevelEnabled('info')
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id')
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    requestLogs.set(ctx.state, new RequestLog(logger, { requestId }))
    Object.defineProperty(ctx.state, 'log', logProperty)
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
