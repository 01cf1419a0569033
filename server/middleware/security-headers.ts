// Security headers for the console and the API (helmet): a CSP the console runs under (its own
// scripts only; antd writes inline styles; QR codes arrive as data: images), no framing, no referrer
// across origins, and HSTS only when the request came over TLS (directly or through the proxy).
import type { Middleware } from 'koa'
import helmet from 'koa-helmet'

export function securityHeaders(): Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  })
  const hsts = helmet.strictTransportSecurity({ maxAge: 180 * 86_400, includeSubDomains: true })
  return async (ctx, next) => {
    if (ctx.secure) await hsts(ctx, async () => {})
    await headers(ctx, next)
  }
}
