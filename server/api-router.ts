// Routes declared once, with their zod schemas, serve both the request chain
// (auth -> validate -> handler) and the OpenAPI document.
import Router, { type RouterContext } from '@koa/router'
import type { Middleware } from 'koa'
import { z } from 'zod'
import { DomainError } from '../shared/errors'
import { hostileInputProblems, integerRangeProblems } from '../shared/validation'
import type { AppState } from './deps'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Maybe<T> = T extends z.ZodType ? z.output<T> : undefined

export type ApiContext = RouterContext<AppState>

export interface RouteSpec<B, Q, P> {
  summary: string
  description?: string
  body?: B
  query?: Q
  params?: P
  /** Schema of the success response, for the OpenAPI document. */
  response?: z.ZodType
  /** Success status; 200 by default. */
  status?: number
  /** Extra middleware run after auth and before validation (rate limits, raw-body checks). */
  use?: Middleware<AppState>[]
  /** Non-JSON success content types, e.g. text/csv. */
  produces?: string | string[]
}

export interface RouteInput<B, Q, P> {
  body: Maybe<B>
  query: Maybe<Q>
  params: Maybe<P>
}

export interface RecordedRoute {
  method: Method
  path: string
  tag: string
  secured: 'operator' | 'member' | null
  /** Operator roles allowed (from the policy table), for the OpenAPI document's `x-roles`. */
  roles?: readonly string[]
  spec: RouteSpec<unknown, unknown, unknown>
}

/** Decides, when a route is declared, the middleware that authorises it and the roles it admits. */
export type RouteGuard = (
  method: Method,
  path: string,
) => { use: Middleware<AppState>; roles: readonly string[] }

/** Every route of the app, in declaration order: the OpenAPI document is built from it. */
export class RouteRegistry {
  readonly routes: RecordedRoute[] = []
}

export class ApiRouter {
  readonly router: Router<AppState>

  constructor(
    private readonly registry: RouteRegistry,
    private readonly options: {
      prefix: string
      tag: string
      secured: 'operator' | 'member' | null
      auth?: Middleware<AppState>
      guard?: RouteGuard
    },
  ) {
    this.router = new Router<AppState>({ prefix: options.prefix })
  }

  get = this.method('get')
  post = this.method('post')
  put = this.method('put')
  patch = this.method('patch')
  delete = this.method('delete')

  private method(method: Method) {
    return <
      B extends z.ZodType | undefined = undefined,
      Q extends z.ZodType | undefined = undefined,
      P extends z.ZodType | undefined = undefined,
    >(
      path: string,
      spec: RouteSpec<B, Q, P>,
      handler: (input: RouteInput<B, Q, P>, ctx: ApiContext) => Promise<unknown> | unknown,
    ): void => {
      const guard = this.options.guard?.(method, this.options.prefix + path)
      this.registry.routes.push({
        method,
        path: this.options.prefix + path,
        tag: this.options.tag,
        secured: this.options.secured,
        ...(guard ? { roles: guard.roles } : {}),
        spec: spec as RouteSpec<unknown, unknown, unknown>,
      })
      const chain: Middleware<AppState>[] = []
      if (this.options.auth) chain.push(this.options.auth)
      if (guard) chain.push(guard.use)
      chain.push(...(spec.use ?? []))
      chain.push(async (ctx) => {
        const c = ctx as ApiContext
        const input = {
          body: spec.body ? parseWith(spec.body, c.request.body ?? {}, 'body') : undefined,
          query: spec.query ? parseWith(spec.query, c.query, 'query') : undefined,
          params: spec.params ? parseWith(spec.params, c.params, 'params') : undefined,
        } as RouteInput<B, Q, P>
        if (method === 'patch' && spec.body && isEmptyUpdate(input.body))
          throw new DomainError('empty_update', '没有要修改的内容', 400, [
            { path: 'body', message: '请至少填写一项要修改的内容' },
          ])
        const result = await handler(input, c)
        if (result !== undefined) {
          c.status = spec.status ?? 200
          c.body = result
        } else if (c.body === undefined && c.status === 404) {
          c.status = 204
        }
      })
      this.router[method](path, ...(chain as Middleware[]))
    }
  }

  /** The router's middleware; requests outside its prefix pass by without being matched route by route. */
  routes(): Middleware {
    const routes = this.router.routes() as unknown as Middleware
    const prefix = this.options.prefix
    if (!prefix) return routes
    return (ctx, next) =>
      ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? routes(ctx, next) : next()
  }
}

/** Parse with a zod schema; the error's paths are prefixed with where the value came from. */
function parseWith(schema: z.ZodType, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  const hostile = hostileInputProblems(value, where)
  if (hostile.length) throw new DomainError('invalid_input', '请求参数不正确', 400, hostile)
  const parsed = schema.safeParse(value)
  if (!parsed.success)
    throw new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: [where, ...i.path] })))
  const outOfRange = integerRangeProblems(parsed.data, where)
  if (outOfRange.length) throw new DomainError('invalid_input', '请求参数不正确', 400, outOfRange)
  return parsed.data
}

/** A PATCH body that names nothing to change (no field, or only undefined ones). */
function isEmptyUpdate(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false
  return Object.values(body).every((v) => v === undefined)
}
