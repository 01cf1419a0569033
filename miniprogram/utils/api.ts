// The one way pages talk to the server: wx.request with the member's bearer token, login through
// wx.login on first use or when the token is refused (401), and Chinese error toasts from the server's
// { error: { message } } answers.
import { API_BASE, TOKEN_KEY } from './config'
import { endpoints, fillPath, type EndpointName } from './endpoints'
import type { LoginResult } from './types'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface CallOptions {
  params?: Record<string, string | number>
  query?: Record<string, string | number | boolean | null | undefined>
  body?: unknown
  /** Do not show a toast on failure (the page handles it). */
  silent?: boolean
}

function queryString(query: CallOptions['query']): string {
  if (!query) return ''
  const parts = Object.keys(query)
    .filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(query[k]))}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

function errorOf(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: string; message?: string } } | null)?.error
  if (error?.message) return new ApiError(status, error.code ?? 'error', error.message)
  if (status === 401) return new ApiError(status, 'unauthorized', '登录已失效，请重新进入')
  if (status >= 500) return new ApiError(status, 'server_error', '服务器开小差了，请稍后再试')
  return new ApiError(status, 'error', '请求失败，请稍后再试')
}

function send<T>(name: EndpointName, options: CallOptions, token: string | null): Promise<T> {
  const endpoint = endpoints[name]
  const header: Record<string, string> = { 'content-type': 'application/json' }
  if (token) header.authorization = `Bearer ${token}`
  return new Promise<T>((resolve, reject) => {
    wx.request({
      url: API_BASE + fillPath(endpoint.path, options.params) + queryString(options.query),
      method: endpoint.method,
      header,
      data: options.body === undefined ? undefined : (options.body as WechatMiniprogram.IAnyObject),
      dataType: 'json',
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data as T)
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

let loggingIn: Promise<string> | null = null

/** wx.login, then exchange the code for our token (concurrent callers share one login). */
export function login(): Promise<string> {
  if (!loggingIn) {
    loggingIn = (async () => {
      const result = await send<LoginResult>('login', { body: { code: await wxLoginCode() } }, null)
      wx.setStorageSync(TOKEN_KEY, result.token)
      return result.token
    })()
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

export function showError(error: unknown): void {
  const message = error instanceof ApiError ? error.message : '操作失败，请稍后再试'
  wx.showToast({ title: message, icon: 'none', duration: 2500 })
}

/** Call an endpoint as the signed-in member; logs in first if needed and once more on 401. */
export async function call<T>(name: EndpointName, options: CallOptions = {}): Promise<T> {
  try {
    const token = currentToken() ?? (await login())
    try {
      return await send<T>(name, options, token)
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
      wx.removeStorageSync(TOKEN_KEY)
      return await send<T>(name, options, await login())
    }
  } catch (e) {
    if (!options.silent) showError(e)
    throw e
  }
}

/** A client request id for idempotent submissions (redeeming, renewing). */
export function requestId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}
