// The mini-program's client for WeChat's servers (api.weixin.qq.com): login (code2Session), the phone
// number from a getPhoneNumber button, unlimited mini-program codes, subscribe messages and the
// shipping information WeChat requires for paid orders. Calls that need an access token take it from
// the shared token (one per appid for every process) and retry once with a fresh one when WeChat says
// the token is stale (STALE_TOKEN_CODES). Every failure is a WechatApiError (a 502) whose message
// explains WeChat's code in Chinese.
import type { Clock } from '../clock'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { SCENE_PATTERN } from '../referral/share-codes'
import { SharedAccessToken } from './access-token'

/** Access token invalid (40001), not the latest (40014), expired (42001): refresh and try once more. */
export const STALE_TOKEN_CODES: ReadonlySet<number> = new Set([40001, 40014, 42001])

/** Our own code for a call that got no answer (network failure, timeout): it may have reached WeChat. */
export const NO_ANSWER = -2
/** WeChat refused without doing anything: system busy (-1), daily limit (45009), rate limit (45011). */
const REFUSED_FOR_NOW = new Set([-1, 45009, 45011])

/** What a WeChat error code means, in words an operator or shopper understands. */
const EXPLAIN: Record<number, string> = {
  [NO_ANSWER]: '无法连接微信服务器，请稍后再试',
  [-1]: '微信系统繁忙，请稍后再试',
  40129: '场景值不合法',
  40169: '场景值长度超过 32 个字符',
  41030: '页面不存在或未发布',
  43101: '用户未订阅该消息或订阅次数已用完',
  45009: '调用超过当日上限',
  45011: '调用太频繁，请稍后再试',
  85096: '不允许包含 scancode_time 参数',
}

/** What failed, for the message of a WechatApiError. */
const ACTION: Record<string, string> = {
  getUnlimitedQRCode: '生成小程序码失败',
  'subscribeMessage.send': '发送订阅消息失败',
  uploadShippingInfo: '上传发货信息失败',
  getPhoneNumber: '获取手机号失败',
  code2Session: '微信登录失败',
}

/** An error answered by WeChat ({errcode, errmsg}), or no answer at all (errcode NO_ANSWER): a 502. */
export class WechatApiError extends DomainError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super('wechat_api_error', `${ACTION[api] ?? '调用微信接口失败'}：${EXPLAIN[errcode] ?? errmsg}`, 502)
    this.name = 'WechatApiError'
  }
}

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

export interface WxacodeRequest {
  /** At most 32 characters from the set WeChat allows (SCENE_PATTERN). */
  scene: string
  /** A published page, e.g. "pages/index/index" (no leading slash, no query). */
  page?: string
  /** Whether WeChat checks that the page exists in the published version. */
  checkPath?: boolean
  envVersion?: 'release' | 'trial' | 'develop'
  /** Image width in px, 280–1280. */
  width?: number
}

export interface WxacodeImage {
  /** As WeChat answered it: image/jpeg, or image/png for a transparent code. */
  contentType: string
  body: Buffer
}

export interface SubscribeMessage {
  touser: string
  templateId: string
  page?: string
  data: Record<string, { value: string }>
  miniprogramState?: 'developer' | 'trial' | 'formal'
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW'
}

export type SubscribeSendResult =
  | { ok: true; msgid: number }
  | {
      ok: false
      errcode: number
      errmsg: string
      /** The member has no consent left for this template (43101): do not try again. */
      consentGone: boolean
      /**
       * WeChat refused without sending (busy, rate-limited): worth trying again later. No answer at all
       * (NO_ANSWER) is not: the message may have gone out.
       */
      retryable: boolean
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

  /**
   * wxacode.getUnlimited: a mini-program code image carrying `scene`. A scene or width WeChat would
   * refuse is a 400 before any call.
   */
  async getUnlimitedQrCode(request: WxacodeRequest): Promise<WxacodeImage> {
    if (!SCENE_PATTERN.test(request.scene))
      throw new DomainError(
        'invalid_scene',
        '小程序码场景值最多 32 个字符，且只能包含字母、数字和部分符号',
        400,
      )
    if (request.width !== undefined && (request.width < 280 || request.width > 1280))
      throw new DomainError('invalid_width', '小程序码宽度应在 280 到 1280 之间', 400)
    return this.withToken<WxacodeImage>(
      'getUnlimitedQRCode',
      '/wxa/getwxacodeunlimit',
      {
        scene: request.scene,
        ...(request.page ? { page: request.page } : {}),
        check_path: request.checkPath ?? true,
        env_version: request.envVersion ?? 'release',
        width: request.width ?? 430,
      },
      true,
    )
  }

  /** Sends a subscribe message; WeChat's refusal is thrown as a WechatApiError. Returns the msgid. */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<number> {
    const r = await this.withToken<{ msgid: number }>(
      'subscribeMessage.send',
      '/cgi-bin/message/subscribe/send',
      {
        touser: message.touser,
        template_id: message.templateId,
        ...(message.page ? { page: message.page } : {}),
        data: message.data,
        // WeChat opens the released version when none is given.
        ...(message.miniprogramState ? { miniprogram_state: message.miniprogramState } : {}),
        lang: message.lang ?? 'zh_CN',
      },
    )
    return r.msgid
  }

  /** Sends a subscribe message and says what became of it: what a delivery loop decides on. */
  async deliverSubscribeMessage(message: SubscribeMessage): Promise<SubscribeSendResult> {
    try {
      return { ok: true, msgid: await this.sendSubscribeMessage(message) }
    } catch (err) {
      if (!(err instanceof WechatApiError)) throw err
      return {
        ok: false,
        errcode: err.errcode,
        errmsg: err.errmsg,
        consentGone: err.errcode === 43101,
        retryable: REFUSED_FOR_NOW.has(err.errcode),
      }
    }
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
    let res: Response
    try {
      res = await fetch(this.options.baseUrl.replace(/\/$/, '') + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      })
    } catch (err) {
      throw new WechatApiError(api, NO_ANSWER, `network: ${(err as Error).message}`)
    }
    const type = res.headers.get('content-type') ?? ''
    if (binary && res.ok && type.startsWith('image/'))
      return { contentType: type.split(';')[0]!, body: Buffer.from(await res.arrayBuffer()) } as T
    const text = await res.text()
    let json: { errcode?: number; errmsg?: string } & Record<string, unknown>
    try {
      json = JSON.parse(text)
    } catch {
      // A server error without WeChat's JSON is WeChat being busy; anything else is no answer we know.
      throw new WechatApiError(api, res.status >= 500 ? -1 : NO_ANSWER, `HTTP ${res.status}: not JSON`)
    }
    if (typeof json.errcode === 'number' && json.errcode !== 0)
      throw new WechatApiError(api, json.errcode, json.errmsg ?? '')
    if (!res.ok) throw new WechatApiError(api, res.status >= 500 ? -1 : NO_ANSWER, `HTTP ${res.status}`)
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
