// The mini-program subscribe message (订阅消息) client: POST /cgi-bin/message/subscribe/send with the
// access token in the query string and {touser, template_id, page, data} as JSON. WeChat answers
// {errcode, errmsg}; an expired token is refreshed once and the send retried.
export interface AccessTokenProvider {
  /** A valid access token of the mini-program. */
  token(): Promise<string>
  /** Called when WeChat says the token is invalid or expired: fetch a new one. */
  refresh?(): Promise<string>
}

export interface SubscribeMessage {
  /** The member's mini-program openid. */
  touser: string
  template_id: string
  /** The mini-program page opened from the message, e.g. `pages/index/index?from=campaign`. */
  page?: string
  data: Record<string, { value: string }>
  miniprogram_state?: 'developer' | 'trial' | 'formal'
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW'
}

export type SubscribeSendResult =
  | { ok: true }
  | {
      ok: false
      errcode: number
      errmsg: string
      /** The member has no consent left for this template (43101): do not try again. */
      consentGone: boolean
      /**
       * WeChat refused without sending (busy, rate-limited): worth trying again later. A network failure
       * is not: the message may have gone out (errcode -2).
       */
      retryable: boolean
    }

const TOKEN_ERRORS = new Set([40001, 40014, 42001])
const RETRYABLE = new Set([-1, 45009, 45011])

export class SubscribeMessageClient {
  private readonly apiBase: string
  private readonly timeoutMs: number

  constructor(
    private readonly options: { apiBase: string; accessToken: AccessTokenProvider; timeoutMs?: number },
  ) {
    this.apiBase = options.apiBase.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  async send(message: SubscribeMessage): Promise<SubscribeSendResult> {
    let token = await this.options.accessToken.token()
    for (let attempt = 0; ; attempt++) {
      const answer = await this.post(token, message)
      if (answer.errcode === 0) return { ok: true }
      if (TOKEN_ERRORS.has(answer.errcode) && attempt === 0 && this.options.accessToken.refresh) {
        token = await this.options.accessToken.refresh()
        continue
      }
      return {
        ok: false,
        errcode: answer.errcode,
        errmsg: answer.errmsg,
        consentGone: answer.errcode === 43101,
        retryable: RETRYABLE.has(answer.errcode),
      }
    }
  }

  private async post(token: string, message: SubscribeMessage): Promise<{ errcode: number; errmsg: string }> {
    const url = `${this.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      return { errcode: -2, errmsg: `network: ${(err as Error).message}` }
    }
    if (!res.ok) return { errcode: res.status >= 500 ? -1 : -2, errmsg: `http ${res.status}` }
    const body = (await res.json().catch(() => null)) as { errcode?: unknown; errmsg?: unknown } | null
    if (!body || typeof body.errcode !== 'number') return { errcode: -2, errmsg: 'unexpected answer' }
    return { errcode: body.errcode, errmsg: typeof body.errmsg === 'string' ? body.errmsg : '' }
  }
}
