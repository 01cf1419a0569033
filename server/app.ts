// The Koa application: request context, one error renderer, body limits (raw body kept for
// signature checks), then the routers. No listening here: tests and the start command decide that.
import '../shared/validation'
import Koa from 'koa'
import { bodyParser } from '@koa/bodyparser'
import type { AppDeps, AppState } from './deps'
import { wechatClients } from '../shared/wechat/clients'
import { errorHandler } from './middleware/errors'
import { requestContext } from './middleware/request-context'
import { consoleAssets } from './middleware/console-assets'
import { securityHeaders } from './middleware/security-headers'
import { RouteRegistry } from './api-router'
import { buildOpenApi } from './openapi'
import { mountRoutes } from './routes'
import { serveUploads } from './uploads/images'

/** Mini-program codes through the store's WeChat client (shared access token), when one is configured. */
function withWxacode(deps: AppDeps): AppDeps {
  if (deps.wxacode) return deps
  const mp = wechatClients({ db: deps.db, config: deps.config, clock: deps.clock }).mp
  if (!mp) return deps
  return { ...deps, wxacode: mp }
}

export function createApp(appDeps: AppDeps): Koa<AppState> {
  const deps = withWxacode(appDeps)
  const app = new Koa<AppState>({ proxy: true })
  const registry = new RouteRegistry()

  app.use(requestContext(deps.logger))
  app.use(securityHeaders())
  app.use(errorHandler())
  const parseBody = bodyParser({
    enableTypes: ['json', 'form', 'text', 'xml'],
    jsonLimit: deps.config.BODY_LIMIT,
    formLimit: deps.config.BODY_LIMIT,
    textLimit: deps.config.BODY_LIMIT,
    xmlLimit: deps.config.BODY_LIMIT,
  })
  // Reads carry no body: the mini-program's busiest requests skip the parser altogether.
  app.use((ctx, next) => (ctx.method === 'GET' || ctx.method === 'HEAD' ? next() : parseBody(ctx, next)))

  app.use(consoleAssets(deps.consoleDir))
  app.use(serveUploads(deps.config.DATA_DIR))
  for (const router of mountRoutes(registry, deps)) app.use(router)

  const openapi = buildOpenApi(registry, { title: '私域超级用户运营系统 API', version: '0.1.0' })
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/api/openapi.json') {
      ctx.body = openapi
      return
    }
    await next()
  })
  // Koa would print errors to stderr itself; they are already rendered and logged by errorHandler.
  app.silent = true
  return app
}
