// The one way pages talk to the server: wx.request with the member's bearer token. Visitors read the
// catalogue without a session (`browse`); member actions log in silently with wx.login first (`call`),
// and once more when the token is refused (401). With no AppID configured on the server (demo mode),
// login falls back to the server's development login. Errors carry the server's Chinese message.
import { API_BASE, DEVICE_ID_KEY, TOKEN_KEY } from './config'
import type { BodyOf, QueryOf, ResponseOf } from './api-types'
import { endpoints, fillPath, type EndpointName } from './endpoints'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface CallOptions<N extends EndpointName = EndpointName> {
  params?: Record<string, string | number>
  query?: QueryOf<N> | Record<string, string | number | boolean | null | undefined>
  body?: BodyOf<N>
  /** Do not show a toast on failure (the page renders the error itself). */
  silent?: boolean
}

function queryString(query: CallOptions['query']): string {
  if (!query) return ''
  const q = query as Record<string, unknown>
  const parts = Object.keys(q)
    .filter((k) => q[k] !== undefined && q[k] !== null && q[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(q[k]))}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

function errorOf(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: string; message?: string } } | null)?.error
  if (error?.message) return new ApiError(status, error.code ?? 'error', error.message)
  if (status === 401) return new ApiError(status, 'unauthorized', '登录已失效，请重新进入')
  if (status >= 500) return new ApiError(status, 'server_error', '服务器开小差了，请稍后再试')
  return new ApiError(status, 'error', '请求失败，请稍后再试')
}

function send<N extends EndpointName>(
  name: N,
  options: CallOptions<N>,
  token: string | null,
): Promise<ResponseOf<N>> {
  const endpoint = endpoints[name]
  const header: Record<string, string> = { 'content-type': 'application/json' }
  if (token) header.authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    wx.request({
      url: API_BASE + fillPath(endpoint.path, options.params) + queryString(options.query),
      method: endpoint.method,
      header,
      data: options.body === undefined ? undefined : (options.body as WechatMiniprogram.IAnyObject),
      dataType: 'json',
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data as unknown as ResponseOf<N>)
        else reject(errorOf(res.statusCode, res.data))
      },
      fail() {
        reject(new ApiError(0, 'network', '网络异常，请检查网络后重试'))
      },
    })
  })
}

function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (r) => (r.code ? resolve(r.code) : reject(new ApiError(0, 'login_failed', '微信登录失败'))),
      fail: () => reject(new ApiError(0, 'login_failed', '微信登录失败，请稍后再试')),
    })
  })
}

/** A random id kept in storage: the demo member this DevTools device logs in as. */
function deviceId(): string {
  let id = wx.getStorageSync(DEVICE_ID_KEY) as string | undefined
  if (!id) {
    id = `dev${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
    wx.setStorageSync(DEVICE_ID_KEY, id)
  }
  return id
}

async function exchangeLogin(): Promise<string> {
  const code = await wxLoginCode()
  try {
    return (await send('login', { body: { code } }, null)).token
  } catch (e) {
    // Demo mode: the server has no AppID, so it cannot ask WeChat who this is.
    if (!(e instanceof ApiError) || e.code !== 'wechat_not_configured') throw e
    return (await send('demoLogin', { body: { deviceId: deviceId() } }, null)).token
  }
}

let loggingIn: Promise<string> | null = null

/** wx.login, then exchange the code for our token (concurrent callers share one login). */
export function login(): Promise<string> {
  if (!loggingIn) {
    loggingIn = exchangeLogin().then((token) => {
      wx.setStorageSync(TOKEN_KEY, token)
      return token
    })
    loggingIn.then(
      () => (loggingIn = null),
      () => (loggingIn = null),
    )
  }
  return loggingIn
}

export function currentToken(): string | null {
  const token = wx.getStorageSync(TOKEN_KEY) as string | undefined
  return token || null
}

/** The message to show for a failed request. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : '操作失败，请稍后再试'
}

export function showError(error: unknown): void {
  wx.showToast({ title: messageOf(error), icon: 'none', duration: 2500 })
}

/** Call an endpoint as the signed-in member; logs in first if needed and once more on 401. */
export async function call<N extends EndpointName>(
  name: N,
  options: CallOptions<N> = {},
): Promise<ResponseOf<N>> {
  try {
    const token = currentToken() ?? (await login())
    try {
      return await send(name, options, token)
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
      wx.removeStorageSync(TOKEN_KEY)
      return await send(name, options, await login())
    }
  } catch (e) {
    if (!options.silent) showError(e)
    throw e
  }
}

/** Read what a visitor may see: as the member when signed in (member prices), else as a guest. */
export async function browse<N extends EndpointName>(
  name: N,
  options: CallOptions<N> = {},
): Promise<ResponseOf<N>> {
  const token = currentToken()
  try {
    return await send(name, options, token)
  } catch (e) {
    if (!token || !(e instanceof ApiError) || e.status !== 401) throw e
    wx.removeStorageSync(TOKEN_KEY)
    return send(name, options, null)
  }
}

/** A client request id for idempotent submissions (redeeming, renewing). */
export function requestId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}
