// The one place errors become responses: {error:{code, message, fields?}}. Client mistakes get a 4xx
// naming what is wrong; anything unexpected is a 500 that reveals nothing and is logged in full.
import type { Middleware } from 'koa'
import { ZodError } from 'zod'
import { DomainError, RetryLaterError, type FieldProblem } from '../../shared/errors'
import type { AppState } from '../deps'

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldProblem[] }
}

export function zodFields(error: ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }))
}

/** Errors thrown by koa's own machinery (body parser, ctx.throw) carry status and expose. */
function isHttpError(
  err: unknown,
): err is { status: number; expose?: boolean; message: string; type?: string } {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number'
}

const httpCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
}

export function errorHandler(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404
        ctx.body = { error: { code: 'not_found', message: '接口不存在' } } satisfies ErrorBody
      }
    } catch (err) {
      let status = 500
      let body: ErrorBody
      if (err instanceof ZodError) {
        status = 400
        body = { error: { code: 'invalid_input', message: '请求参数不正确', fields: zodFields(err) } }
      } else if (err instanceof DomainError) {
        status = err.status
        body = {
          error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) },
        }
      } else if (isHttpError(err) && err.status >= 400 && err.status < 500) {
        status = err.status
        const message =
          err.type === 'entity.too.large'
            ? '请求体过大'
            : err.type === 'entity.parse.failed'
              ? '请求体不是合法的 JSON'
              : err.message
        body = { error: { code: httpCodes[status] ?? 'bad_request', message } }
      } else {
        body = { error: { code: 'internal_error', message: '服务器内部错误，请稍后重试' } }
      }
      const log = ctx.state.log
      // An expected failure (a DomainError, e.g. 503 for a WeChat API not configured) is a warning
      // with its code; only the unexpected is an error with its stack.
      if (status >= 500 && !(err instanceof DomainError)) log?.error({ err }, 'unhandled error')
      else log?.warn({ code: body.error.code, status }, 'request refused')
      ctx.status = status
      if (err instanceof RetryLaterError) ctx.set('Retry-After', String(Math.max(1, err.retryAfterSeconds)))
      ctx.body = body
    }
  }
}
