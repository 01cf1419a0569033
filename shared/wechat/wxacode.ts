// Mini-program codes without a count limit (wxacode.getUnlimited): the image a promoter prints or
// shares, carrying their share code as the `scene`. POST /wxa/getwxacodeunlimit?access_token=… with a
// JSON body; WeChat answers the image itself, or a JSON {errcode, errmsg}.
import { DomainError } from '../errors'

/** Gives a current access token; `forceRefresh` after WeChat said the one given was invalid or expired. */
export type AccessTokenProvider = (options?: { forceRefresh?: boolean }) => Promise<string>

export interface WxacodeRequest {
  /** At most 32 visible characters: digits, letters and !#$&'()*+,/:;=?@-._~ */
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
  contentType: string
  body: Buffer
}

export class WechatApiError extends DomainError {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    message: string,
  ) {
    super('wechat_api_error', message, 502)
    this.name = 'WechatApiError'
  }
}

const SCENE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/
/** Access token invalid (40001), not the latest (40014), expired (42001): refresh and try once more. */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001])

const explain: Record<number, string> = {
  40129: '场景值不合法',
  40169: '场景值长度超过 32 个字符',
  41030: '页面不存在或未发布',
  45009: '调用超过当日上限',
  85096: '不允许包含 scancode_time 参数',
}

export interface WxacodeClient {
  getUnlimited(request: WxacodeRequest): Promise<WxacodeImage>
}

export function createWxacodeClient(options: {
  /** https://api.weixin.qq.com, or a local stand-in in tests. */
  baseUrl: string
  accessToken: AccessTokenProvider
  timeoutMs?: number
}): WxacodeClient {
  const base = options.baseUrl.replace(/\/+$/, '')

  async function call(request: WxacodeRequest, token: string): Promise<WxacodeImage | WechatApiError> {
    const url = `${base}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(token)}`
    const body = {
      scene: request.scene,
      ...(request.page !== undefined ? { page: request.page } : {}),
      check_path: request.checkPath ?? true,
      env_version: request.envVersion ?? 'release',
      width: request.width ?? 430,
    }
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
    } catch (err) {
      return new WechatApiError(-1, String((err as Error).message ?? err), '无法连接微信服务器，请稍后再试')
    }
    const contentType = res.headers.get('content-type') ?? ''
    const bytes = Buffer.from(await res.arrayBuffer())
    if (res.ok && contentType.startsWith('image/'))
      return { contentType: contentType.split(';')[0]!, body: bytes }
    // Errors come back as JSON, whatever the content type says.
    let parsed: { errcode?: number; errmsg?: string } = {}
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed
    } catch {
      // not JSON: reported below with the HTTP status
    }
    const errcode = typeof parsed.errcode === 'number' ? parsed.errcode : -res.status
    const errmsg = parsed.errmsg ?? `HTTP ${res.status}`
    return new WechatApiError(errcode, errmsg, `生成小程序码失败：${explain[errcode] ?? errmsg}`)
  }

  return {
    async getUnlimited(request) {
      if (!SCENE.test(request.scene))
        throw new DomainError(
          'invalid_scene',
          '小程序码场景值最多 32 个字符，且只能包含字母、数字和部分符号',
          400,
        )
      if (request.width !== undefined && (request.width < 280 || request.width > 1280))
        throw new DomainError('invalid_width', '小程序码宽度应在 280 到 1280 之间', 400)
      let result = await call(request, await options.accessToken())
      if (result instanceof WechatApiError && TOKEN_ERRCODES.has(result.errcode))
        result = await call(request, await options.accessToken({ forceRefresh: true }))
      if (result instanceof WechatApiError) throw result
      return result
    },
  }
}
