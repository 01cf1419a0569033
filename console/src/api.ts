// Calls to the operator API. Errors arrive as {error:{code, message}} with a Chinese message that is
// shown as it is; an expired login sends the operator back to the login page.
import { useCallback, useEffect, useState } from 'react'
import { clearSession, loadSession } from './session'
import type { paths } from './api/openapi'

type AdminPath<P extends string> = `/api/admin${P}` & keyof paths
type Ok<Op> = Op extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : Op extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never

/** What an admin operation answers, from the generated OpenAPI types: `Answer<'/operators'>`. */
export type Answer<P extends string, M extends 'get' | 'post' | 'patch' | 'put' | 'delete' = 'get'> = Ok<
  paths[AdminPath<P>][M & keyof paths[AdminPath<P>]]
>

/** What an admin operation takes as its JSON body. */
export type Body<P extends string, M extends 'post' | 'patch' | 'put'> = paths[AdminPath<P>][M &
  keyof paths[AdminPath<P>]] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never

/** One input the server refused, e.g. {path: 'body.newPassword', message: '密码至少 8 位'}. */
export interface FieldProblem {
  path: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message)
  }
}

/**
 * The server's field problems as antd `Form.setFields` entries: `body.newPassword` → `newPassword`.
 * Problems about no field of the form are left for the caller to show above it.
 */
export function fieldErrors<N extends string>(error: ApiError, names: readonly N[]) {
  const byName = new Map<N, string[]>()
  for (const f of error.fields) {
    const name = names.find((n) => f.path.replace(/^(body|query)\./, '') === n)
    if (name) byName.set(name, [...(byName.get(name) ?? []), f.message])
  }
  return [...byName].map(([name, errors]) => ({ name, errors }))
}

/** Fired when the server says the login is no longer valid. */
export const SESSION_EXPIRED = 'sup:session-expired'

export async function apiRequest<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const session = loadSession()
  if (session) headers.authorization = `Bearer ${session.token}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`/api/admin${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    })
  } catch (err) {
    if (init.signal?.aborted) throw err
    throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试')
  }
  const payload = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; fields?: FieldProblem[] }
  } | null
  if (!res.ok) {
    if (res.status === 401 && session) {
      clearSession()
      window.dispatchEvent(new Event(SESSION_EXPIRED))
    }
    throw new ApiError(
      res.status,
      payload?.error?.code ?? 'http_error',
      payload?.error?.message ?? `请求失败（${res.status}）`,
      payload?.error?.fields ?? [],
    )
  }
  return payload as T
}

/** An error of any kind as the ApiError the screens show. */
export const asApiError = (err: unknown, fallback = '操作失败，请稍后重试') =>
  err instanceof ApiError ? err : new ApiError(0, 'unknown', fallback)

export interface Loaded<T> {
  /** The answer for the current path, once it has arrived. */
  data: T | undefined
  /** The last answer for any path, to keep a table on screen while its next page loads. */
  previous: T | undefined
  error: ApiError | undefined
  loading: boolean
  /** Fetch the same path again (after a change, or from an error's 重试 button). */
  reload: () => void
}

/** GET a path and re-fetch whenever it changes or `reload` is called; earlier answers are dropped. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [version, setVersion] = useState(0)
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError }>({ key: null })
  const key = path === null ? null : `${version}:${path}`
  useEffect(() => {
    if (path === null || key === null) return
    const controller = new AbortController()
    apiRequest<T>(path, { signal: controller.signal }).then(
      (data) => setState({ key, data }),
      (error: unknown) => {
        if (controller.signal.aborted) return
        const apiError =
          error instanceof ApiError ? error : new ApiError(0, 'unknown', '加载失败，请稍后重试')
        setState((s) => ({ key, error: apiError, data: s.data }))
      },
    )
    return () => controller.abort()
  }, [path, key])
  const reload = useCallback(() => setVersion((v) => v + 1), [])
  const current = key !== null && state.key === key
  return {
    data: current && !state.error ? state.data : undefined,
    previous: state.data,
    error: current ? state.error : undefined,
    loading: key !== null && !current,
    reload,
  }
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : ''
}

/** Upload one image file as the raw body; answers where the server keeps it. */
export async function uploadImage(file: File): Promise<Answer<'/uploads/images', 'post'>> {
  const session = loadSession()
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': file.type }
  if (session) headers.authorization = `Bearer ${session.token}`
  let res: Response
  try {
    res = await fetch('/api/admin/uploads/images', { method: 'POST', headers, body: file })
  } catch {
    throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试')
  }
  const payload = (await res.json().catch(() => null)) as
    | (Answer<'/uploads/images', 'post'> & { error?: undefined })
    | { error?: { code: string; message: string; fields?: FieldProblem[] } }
    | null
  if (!res.ok || !payload || payload.error)
    throw new ApiError(
      res.status,
      payload?.error?.code ?? 'http_error',
      payload?.error?.message ?? `上传失败（${res.status}）`,
      payload?.error?.fields ?? [],
    )
  return payload as Answer<'/uploads/images', 'post'>
}
