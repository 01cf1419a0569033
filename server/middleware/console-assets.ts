// Serves the built operator console at /console/ (hashed assets cached for a year, everything else
// falls back to index.html for the single-page app's own routes) and sends `/` there. While the
// console is still being built it answers with a page that refreshes itself until the build is in.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Middleware } from 'koa'
import type { AppState } from '../deps'

export const defaultConsoleDir = fileURLToPath(new URL('../../console/dist', import.meta.url))
export const CONSOLE_PREFIX = '/console'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

const notBuiltPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="3"><title>运营后台准备中</title></head>
<body style="font-family:sans-serif;text-align:center;padding-top:15vh;color:#444">
<h2>运营后台正在构建，请稍候…</h2><p>页面会自动刷新。</p></body></html>`

async function fileSize(file: string): Promise<number | null> {
  try {
    const s = await stat(file)
    return s.isFile() ? s.size : null
  } catch {
    return null
  }
}

export function consoleAssets(dir: string = defaultConsoleDir): Middleware<AppState> {
  const root = path.resolve(dir)
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (ctx.path === '/' || ctx.path === CONSOLE_PREFIX) {
      ctx.redirect(`${CONSOLE_PREFIX}/`)
      return
    }
    if (!ctx.path.startsWith(`${CONSOLE_PREFIX}/`)) return next()

    let relative: string
    try {
      relative = decodeURIComponent(ctx.path.slice(CONSOLE_PREFIX.length + 1))
    } catch {
      ctx.status = 400
      ctx.body = { error: { code: 'bad_request', message: '路径不正确' } }
      return
    }
    const requested = path.resolve(root, relative)
    const inside =
      requested.startsWith(root + path.sep) && !relative.split('/').some((p) => p.startsWith('.'))
    let file = inside ? requested : null
    let size = file ? await fileSize(file) : null
    if (size === null) {
      // A file that is not there (a script, an image) is a 404; anything else is a route of the app.
      if (path.extname(relative)) {
        ctx.status = 404
        ctx.body = { error: { code: 'not_found', message: '文件不存在' } }
        return
      }
      file = path.join(root, 'index.html')
      size = await fileSize(file)
      if (size === null) {
        ctx.status = 503
        ctx.set('Retry-After', '3')
        ctx.type = 'text/html; charset=utf-8'
        ctx.body = notBuiltPage
        return
      }
    }

    const immutable = relative.startsWith('assets/')
    ctx.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.type = contentTypes[path.extname(file!)] ?? 'application/octet-stream'
    ctx.vary('Accept-Encoding')
    const gzipSize = ctx.acceptsEncodings('gzip', 'identity') === 'gzip' ? await fileSize(`${file}.gz`) : null
    const [sent, length] = gzipSize !== null ? [`${file}.gz`, gzipSize] : [file!, size]
    if (gzipSize !== null) ctx.set('Content-Encoding', 'gzip')
    // HEAD: headers only; a stream that is never read would hold its file open.
    ctx.body = ctx.method === 'HEAD' ? Buffer.alloc(0) : createReadStream(sent)
    ctx.length = length
  }
}
