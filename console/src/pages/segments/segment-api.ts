// What the segments screen needs beyond useApi: a POST that re-runs whenever its body changes (the
// live count and preview), a debounced value, and a CSV or Excel download through the signed-in session.
import { useCallback, useEffect, useState } from 'react'
import {
  ApiError,
  apiRequest,
  query,
  SESSION_EXPIRED,
  type Body,
  type FieldProblem,
  type Loaded,
} from '../../api'
import { clearSession, loadSession } from '../../session'

/** POST `body` (JSON text, or null for nothing yet) and re-post whenever it changes or on reload. */
export function usePosted<T>(path: string, body: string | null): Loaded<T> {
  const [version, setVersion] = useState(0)
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError }>({ key: null })
  const key = body === null ? null : `${version}:${path}:${body}`
  useEffect(() => {
    if (body === null || key === null) return
    const controller = new AbortController()
    apiRequest<T>(path, {
      method: 'POST',
      body: JSON.parse(body) as unknown,
      signal: controller.signal,
    }).then(
      (data) => setState({ key, data }),
      (error: unknown) => {
        if (controller.signal.aborted) return
        const apiError =
          error instanceof ApiError ? error : new ApiError(0, 'unknown', '加载失败，请稍后重试')
        setState((s) => ({ key, error: apiError, data: s.data }))
      },
    )
    return () => controller.abort()
  }, [path, body, key])
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

/** The value as it was `ms` after it last changed. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}

/** The file formats a segment exports to. */
export type ExportFormat = NonNullable<Body<'/segments/export', 'post'>['format']>

/**
 * Fetch an export (CSV or Excel) with the operator's token and hand it to the browser as a download,
 * named as the server names it (Content-Disposition). A GET export takes the format in the query, a
 * POST one in its body.
 */
export async function downloadExport(path: string, format: ExportFormat, body?: object): Promise<string> {
  const headers: Record<string, string> = {
    accept: 'text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json',
  }
  const session = loadSession()
  if (session) headers.authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`/api/admin${path}${body === undefined ? query({ format }) : ''}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify({ ...body, format }),
    })
  } catch {
    throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试')
  }
  if (!res.ok) {
    const payload = (await res.json().catch(() => null)) as {
      error?: { code: string; message: string; fields?: FieldProblem[] }
    } | null
    if (res.status === 401 && session) {
      clearSession()
      window.dispatchEvent(new Event(SESSION_EXPIRED))
    }
    throw new ApiError(
      res.status,
      payload?.error?.code ?? 'http_error',
      payload?.error?.message ?? `导出失败（${res.status}）`,
      payload?.error?.fields ?? [],
    )
  }
  const blob = await res.blob()
  const disposition = res.headers.get('content-disposition') ?? ''
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
  const name = encoded ? decodeURIComponent(encoded) : `会员分群.${format}`
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}
