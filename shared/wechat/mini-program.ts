// The mini-program's client for WeChat's servers (api.weixin.qq.com): login (code2Session), the phone
// number from a getPhoneNumber button, unlimited mini-program codes, subscribe messages and the
// shipping information WeChat requires for paid orders. Calls that need an access token take it from
// the shared token (one per appid for every process) and retry once with a fresh one when WeChat says
// the token is stale (40001, 42001, 40014).
import type { Clock } from '../clock'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { SharedAccessToken } from './access-token'

/** An error answered by WeChat: {errcode, errmsg}. */
export class WechatApiError extends Error {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${api}: WeChat error ${errcode} ${errmsg}`)
    this.name = 'WechatApiError'
  }
}

/** Errors that mean "this access token is no longer good". */
export const STALE_TOKEN_CODES = new Set([40001, 40014, 42001])

export interface MiniProgramOptions {
  baseUrl: string
  appid: string
  secret: string
  timeoutMs?: number
}

export interface WechatSession {
  openid: string
  unionid?: string
  sessionKey: string
}

export interface PhoneInfo {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
}

export interface SubscribeMessage {
  touser: string
  templateId: string
  page?: string
  data: Record<string, { value: string }>
  miniprogramState?: 'developer' | 'trial' | 'formal'
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW'
}

export interface ShippingInfo {
  /** Identify the payment by WeChat Pay's transaction id (or by mchid + out_trade_no). */
  transactionId?: string
  outTradeNo?: string
  mchid?: string
  /** 1 express, 2 same-city, 3 virtual goods, 4 self pick-up. */
  logisticsType: 1 | 2 | 3 | 4
  shippingList: { trackingNo?: string; expressCompany?: string; itemDesc: string }[]
  uploadTime: Date
  payerOpenid: string
}

export class MiniProgramApi {
  readonly appid: string
  readonly tokens: SharedAccessToken

  constructor(
    private readonly options: MiniProgramOptions,
    db: Db,
    clock: Clock,
  ) {
    this.appid = options.appid
    this.tokens = new SharedAccessToken(db, clock, options.appid, (force) => this.fetchStableToken(force))
  }

  /** wx.login() code → openid, unionid (when bound to an open platform account) and session_key. */
  async code2Session(code: string): Promise<WechatSession> {
    const q = new URLSearchParams({
      appid: this.options.appid,
      secret: this.options.secret,
      js_code: code,
      grant_type: 'authorization_code',
    })
    const r = await this.call<{ openid: string; unionid?: string; session_key: string }>(
      'code2Session',
      'GET',
      `/sns/jscode2session?${q}`,
    )
    return { openid: r.openid, sessionKey: r.session_key, ...(r.unionid ? { unionid: r.unionid } : {}) }
  }

  /** The stable access token (POST /cgi-bin/stable_token); force_refresh retires the previous one. */
  async fetchStableToken(forceRefresh: boolean): Promise<{ accessToken: string; expiresIn: number }> {
    const r = await this.call<{ access_token: string; expires_in: number }>(
      'getStableAccessToken',
      'POST',
      '/cgi-bin/stable_token',
      {
        grant_type: 'client_credential',
        appid: this.options.appid,
        secret: this.options.secret,
        force_refresh: forceRefresh,
      },
    )
    return { accessToken: r.access_token, expiresIn: r.expires_in }
  }

  async getPhoneNumber(code: string): Promise<PhoneInfo> {
    const r = await this.withToken<{ phone_info: PhoneInfo }>(
      'getPhoneNumber',
      '/wxa/business/getuserphonenumber',
      { code },
    )
    return r.phone_info
  }

  /** wxacode.getUnlimited: a mini-program code image carrying `scene` (≤ 32 characters). */
  async getUnlimitedQrCode(input: {
    scene: string
    page?: string
    checkPath?: boolean
    envVersion?: 'release' | 'trial' | 'develop'
    width?: number
  }): Promise<Buffer> {
    return this.withToken<Buffer>(
      'getUnlimitedQRCode',
      '/wxa/getwxacodeunlimit',
      {
        scene: input.scene,
        ...(input.page ? { page: input.page } : {}),
        check_path: input.checkPath ?? true,
        env_version: input.envVersion ?? 'release',
        width: input.width ?? 430,
      },
      true,
    )
  }

  async sendSubscribeMessage(message: SubscribeMessage): Promise<number> {
    const r = await this.withToken<{ msgid: number }>(
      'subscribeMessage.send',
      '/cgi-bin/message/subscribe/send',
      {
        touser: message.touser,
        template_id: message.templateId,
        ...(message.page ? { page: message.page } : {}),
        data: message.data,
        miniprogram_state: message.miniprogramState ?? 'formal',
        lang: message.lang ?? 'zh_CN',
      },
    )
    return r.msgid
  }

  /** 发货信息录入: WeChat holds settlement of a paid order until its shipping is uploaded. */
  async uploadShippingInfo(info: ShippingInfo): Promise<void> {
    const orderKey = info.transactionId
      ? { order_number_type: 2, transaction_id: info.transactionId }
      : { order_number_type: 1, mchid: info.mchid, out_trade_no: info.outTradeNo }
    await this.withToken('uploadShippingInfo', '/wxa/sec/order/upload_shipping_info', {
      order_key: orderKey,
      logistics_type: info.logisticsType,
      delivery_mode: 1,
      shipping_list: info.shippingList.map((s) => ({
        ...(s.trackingNo ? { tracking_no: s.trackingNo } : {}),
        ...(s.expressCompany ? { express_company: s.expressCompany } : {}),
        item_desc: s.itemDesc,
      })),
      upload_time: shanghaiRfc3339(info.uploadTime),
      payer: { openid: info.payerOpenid },
    })
  }

  private async withToken<T>(api: string, path: string, body: unknown, binary = false): Promise<T> {
    let token = await this.tokens.get()
    try {
      return await this.call<T>(
        api,
        'POST',
        `${path}?access_token=${encodeURIComponent(token)}`,
        body,
        binary,
      )
    } catch (err) {
      if (!(err instanceof WechatApiError) || !STALE_TOKEN_CODES.has(err.errcode)) throw err
      token = await this.tokens.invalidate(token)
      return this.call<T>(api, 'POST', `${path}?access_token=${encodeURIComponent(token)}`, body, binary)
    }
  }

  private async call<T>(
    api: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    binary = false,
  ): Promise<T> {
    const res = await fetch(this.options.baseUrl.replace(/\/$/, '') + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    })
    const type = res.headers.get('content-type') ?? ''
    if (binary && res.ok && !type.includes('json')) return Buffer.from(await res.arrayBuffer()) as T
    const text = await res.text()
    let json: { errcode?: number; errmsg?: string } & Record<string, unknown>
    try {
      json = JSON.parse(text)
    } catch {
      throw new WechatApiError(api, -1, `HTTP ${res.status}: not JSON`)
    }
    if (json.errcode && json.errcode !== 0) throw new WechatApiError(api, json.errcode, json.errmsg ?? '')
    if (!res.ok) throw new WechatApiError(api, -1, `HTTP ${res.status}`)
    return json as T
  }
}

function shanghaiRfc3339(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00')
}

/** The mini-program client for this configuration, or null when no appid is configured (demo mode). */
export function miniProgramFromConfig(config: Config, db: Db, clock: Clock): MiniProgramApi | null {
  if (!config.WECHAT_MP_APPID || !config.WECHAT_MP_SECRET) return null
  return new MiniProgramApi(
    { baseUrl: config.WECHAT_API_BASE, appid: config.WECHAT_MP_APPID, secret: config.WECHAT_MP_SECRET },
    db,
    clock,
  )
}
