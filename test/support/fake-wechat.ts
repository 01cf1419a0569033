// A local stand-in for WeChat's servers, on 127.0.0.1 with an ephemeral port, speaking their wire format:
// api.weixin.qq.com (code2Session, stable access token, phone number, mini-program codes, subscribe
// messages, shipping info) and api.mch.weixin.qq.com (WeChat Pay v3, see fake-wechat-pay.ts).
//
// Use:
//   const wechat = await startFakeWechat()
//   const config = testConfig({ ...wechat.env(), WECHATPAY_NOTIFY_URL: `${app.url}/pay/notify` })
//   const code = wechat.loginCode({ openid: 'o1', unionid: 'u1' })   // what wx.login() would give
//   wechat.failNext('/sns/jscode2session', 45011, 'api minute-quota reach limit')
//   wechat.calls('/cgi-bin/stable_token').length
//   wechat.pay.confirmPayment('D2026…')  -> a signed TRANSACTION.SUCCESS callback to POST
//
// Extending it (another endpoint WeChat has): `wechat.handle('POST', '/wxa/xxx', (req) => reply)`,
// where `req` has the parsed query and JSON body and the reply is a JSON object, or
// `{ status, body, headers }` for anything else (binary bodies as Buffer). Endpoints that need an access
// token should call `wechat.checkToken(req)` first: it answers 40001 like WeChat for a stale token.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FakeWechatPay } from './fake-wechat-pay'

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  rawBody: string
  body: any
}

/** A reply with its own status, headers or a binary body; handlers may also return a plain JSON object. */
export class FakeReply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export type FakeHandler = (
  req: FakeRequest,
) => FakeReply | Record<string, unknown> | Promise<FakeReply | Record<string, unknown>>

/** WeChat's errors are HTTP 200 with {errcode, errmsg}. */
export const wxError = (errcode: number, errmsg: string) => ({
  errcode,
  errmsg: `${errmsg} rid: ${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`,
})

export interface LoginIdentity {
  openid?: string
  unionid?: string
}

export interface SentSubscribeMessage {
  touser: string
  template_id: string
  page?: string
  data: Record<string, { value: string }>
  msgid: number
}

export class FakeWechat {
  readonly appid = 'wx1234567890abcdef'
  readonly secret = 'fake-app-secret-0123456789abcdef'
  url = ''
  readonly pay: FakeWechatPay
  readonly subscribeMessages: SentSubscribeMessage[] = []
  readonly shippingUploads: any[] = []
  readonly qrCodes: { scene: string; page?: string }[] = []

  private server!: Server
  private readonly handlers = new Map<string, FakeHandler>()
  private readonly injected = new Map<string, { errcode: number; errmsg: string }[]>()
  private readonly log: FakeRequest[] = []
  private readonly loginCodes = new Map<string, { openid: string; unionid?: string; sessionKey: string }>()
  private readonly usedCodes = new Set<string>()
  private readonly phoneCodes = new Map<string, string>()
  private readonly validTokens = new Set<string>()
  private currentToken: string | null = null
  private nextMsgId = 1_000_000
  private readonly subscribeRefusals = new Map<string, { errcode: number; errmsg: string }>()

  constructor() {
    this.pay = new FakeWechatPay(this)
    this.installMiniProgram()
    this.pay.install((method, path, handler) => this.handle(method, path, handler))
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.dispatch(req, res))
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  /** Configuration (environment variables) pointing the product at this server. */
  env(): Record<string, string> {
    return {
      WECHAT_API_BASE: this.url,
      WECHAT_MP_APPID: this.appid,
      WECHAT_MP_SECRET: this.secret,
      ...this.pay.env(),
    }
  }

  /** Add or replace an endpoint. Path without query, e.g. '/wxa/getwxacodeunlimit'. */
  handle(method: string, path: string, handler: FakeHandler): void {
    this.handlers.set(`${method.toUpperCase()} ${path}`, handler)
  }

  /** The next call to `path` answers this WeChat error instead (queued: call twice for two failures). */
  failNext(path: string, errcode: number, errmsg: string): void {
    const queue = this.injected.get(path) ?? []
    queue.push({ errcode, errmsg })
    this.injected.set(path, queue)
  }

  /** Requests received for a path, oldest first. */
  calls(path: string): FakeRequest[] {
    return this.log.filter((r) => r.path === path)
  }

  /** A wx.login() code for this user (a new openid when none given). Valid once, like WeChat's. */
  loginCode(user: LoginIdentity = {}): string {
    const code = `0${randomBytes(15).toString('hex')}`.slice(0, 32)
    this.loginCodes.set(code, {
      openid: user.openid ?? `o${randomBytes(13).toString('base64url')}`,
      ...(user.unionid ? { unionid: user.unionid } : {}),
      sessionKey: randomBytes(16).toString('base64'),
    })
    return code
  }

  /** The session_key WeChat handed out for a login code. */
  sessionKeyFor(code: string): string | undefined {
    return this.loginCodes.get(code)?.sessionKey
  }

  /** A getPhoneNumber button code that yields this phone number. */
  phoneCode(phone: string): string {
    const code = randomBytes(16).toString('hex')
    this.phoneCodes.set(code, phone)
    return code
  }

  /** Invalidate every access token issued so far (as when another party force-refreshed it). */
  revokeAccessTokens(): void {
    this.validTokens.clear()
    this.currentToken = null
  }

  /** Subscribe messages to this openid are refused with this error (until `null` is given). */
  answerSubscribeTo(openid: string, error: { errcode: number; errmsg: string } | null): void {
    if (error) this.subscribeRefusals.set(openid, error)
    else this.subscribeRefusals.delete(openid)
  }

  /** For token-protected endpoints: the WeChat error for a missing or stale token, or null. */
  checkToken(req: FakeRequest): Record<string, unknown> | null {
    const token = req.query.get('access_token')
    if (!token) return wxError(41001, 'access_token missing')
    if (!this.validTokens.has(token))
      return wxError(40001, 'invalid credential, access_token is invalid or not latest')
    return null
  }

  private installMiniProgram(): void {
    this.handle('GET', '/sns/jscode2session', (req) => {
      const q = req.query
      if (q.get('appid') !== this.appid) return wxError(40013, 'invalid appid')
      if (q.get('secret') !== this.secret) return wxError(40125, 'invalid appsecret')
      if (q.get('grant_type') !== 'authorization_code') return wxError(40002, 'invalid grant_type')
      const code = q.get('js_code') ?? ''
      if (this.usedCodes.has(code)) return wxError(40163, 'code been used')
      const user = this.loginCodes.get(code)
      if (!user) return wxError(40029, 'invalid code')
      this.usedCodes.add(code)
      return {
        openid: user.openid,
        session_key: user.sessionKey,
        ...(user.unionid ? { unionid: user.unionid } : {}),
      }
    })

    this.handle('POST', '/cgi-bin/stable_token', (req) => {
      const b = req.body ?? {}
      if (b.grant_type !== 'client_credential') return wxError(40002, 'invalid grant_type')
      if (b.appid !== this.appid) return wxError(40013, 'invalid appid')
      if (b.secret !== this.secret) return wxError(40125, 'invalid appsecret')
      if (b.force_refresh === true || !this.currentToken) {
        if (b.force_refresh === true) this.validTokens.clear()
        this.currentToken = `${randomBytes(24).toString('base64url')}_${this.calls('/cgi-bin/stable_token').length}`
        this.validTokens.add(this.currentToken)
      }
      return { access_token: this.currentToken, expires_in: 7200 }
    })

    this.handle('POST', '/wxa/business/getuserphonenumber', (req) => {
      const bad = this.checkToken(req)
      if (bad) return bad
      const phone = this.phoneCodes.get(req.body?.code)
      if (!phone) return wxError(40029, 'invalid code')
      this.phoneCodes.delete(req.body.code)
      return {
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: phone,
          purePhoneNumber: phone,
          countryCode: '86',
          watermark: { timestamp: Math.floor(Date.now() / 1000), appid: this.appid },
        },
      }
    })

    this.handle('POST', '/wxa/getwxacodeunlimit', (req) => {
      const bad = this.checkToken(req)
      if (bad) return bad
      const scene = String(req.body?.scene ?? '')
      if (!scene || scene.length > 32)
        return wxError(40169, 'invalid length for scene, or the data is not json string')
      if (req.body?.page && !/^[\w/-]+$/.test(req.body.page)) return wxError(41030, 'invalid page')
      this.qrCodes.push({ scene, page: req.body?.page })
      // A JPEG's start and end markers around the scene: enough for callers to store and serve.
      const image = Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
        Buffer.from(scene),
        Buffer.from([0xff, 0xd9]),
      ])
      return new FakeReply(200, image, { 'content-type': 'image/jpeg' })
    })

    this.handle('POST', '/cgi-bin/message/subscribe/send', (req) => {
      const bad = this.checkToken(req)
      if (bad) return bad
      const b = req.body ?? {}
      if (!b.touser) return wxError(40003, 'invalid openid')
      if (!b.template_id) return wxError(40037, 'invalid template_id')
      if (!b.data || typeof b.data !== 'object') return wxError(47003, 'argument invalid! data is empty')
      const refusal = this.subscribeRefusals.get(b.touser)
      if (refusal) return wxError(refusal.errcode, refusal.errmsg)
      const msgid = this.nextMsgId++
      this.subscribeMessages.push({
        touser: b.touser,
        template_id: b.template_id,
        page: b.page,
        data: b.data,
        msgid,
      })
      return { errcode: 0, errmsg: 'ok', msgid }
    })

    this.handle('POST', '/wxa/sec/order/upload_shipping_info', (req) => {
      const bad = this.checkToken(req)
      if (bad) return bad
      const b = req.body ?? {}
      const key = b.order_key ?? {}
      const tx =
        key.order_number_type === 2
          ? this.pay.byTransactionId(key.transaction_id)
          : this.pay.trade(key.out_trade_no)
      if (!tx || tx.trade_state !== 'SUCCESS') return wxError(10060001, '支付单不存在')
      if (
        this.shippingUploads.some(
          (u) =>
            u.order_key.out_trade_no === tx.out_trade_no || u.order_key.transaction_id === tx.transaction_id,
        )
      )
        return wxError(10060003, '支付单已完成发货，无法继续发货')
      if (!Array.isArray(b.shipping_list) || b.shipping_list.length === 0)
        return wxError(10060014, '参数错误')
      this.shippingUploads.push(b)
      return { errcode: 0, errmsg: 'ok' }
    })
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', this.url)
    let body: unknown
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined
    } catch {
      body = undefined
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body,
    }
    this.log.push(request)
    const injected = this.injected.get(url.pathname)?.shift()
    let reply: FakeReply
    if (injected) {
      reply = new FakeReply(200, wxError(injected.errcode, injected.errmsg))
    } else {
      const handler =
        this.handlers.get(`${request.method} ${url.pathname}`) ?? this.pay.dynamicHandler(request)
      if (!handler) {
        reply = new FakeReply(404, wxError(-1, `no such endpoint ${url.pathname}`))
      } else {
        try {
          const out = await handler(request)
          reply = out instanceof FakeReply ? out : new FakeReply(200, out)
        } catch (err) {
          reply = new FakeReply(500, { code: 'SYSTEM_ERROR', message: String(err) })
        }
      }
    }
    const payload =
      reply.body === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(reply.body)
          ? reply.body
          : Buffer.from(JSON.stringify(reply.body))
    const headers: Record<string, string> = {
      ...(payload.length && !Buffer.isBuffer(reply.body)
        ? { 'content-type': 'application/json; charset=utf-8' }
        : {}),
      ...(url.pathname.startsWith('/v3/') ? this.pay.signResponse(payload.toString('utf8')) : {}),
      ...reply.headers,
    }
    res.writeHead(reply.status, headers)
    res.end(payload)
  }
}

export async function startFakeWechat(): Promise<FakeWechat> {
  return new FakeWechat().start()
}
