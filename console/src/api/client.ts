// The operator API as a typed client: paths, parameters and answers come from `openapi.d.ts`, which
// `npm run api:types` generates from the server's routes, so a renamed field breaks the typecheck.
// Errors arrive as {error:{code, message, fields?}}; an expired login sends the operator to the login.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './openapi'
import { clearSession, loadSession } from '../session'

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

/** Fired when the server says the login is no longer valid. */
export const SESSION_EXPIRED = 'sup:session-expired'

const auth: Middleware = {
  onRequest({ request }) {
    const session = loadSession()
    if (session) request.headers.set('authorization', `Bearer ${session.token}`)
    return request
  },
  onResponse({ response }) {
    if (response.status === 401 && loadSession()) {
      clearSession()
      window.dispatchEvent(new Event(SESSION_EXPIRED))
    }
    return response
  },
}

export const api = createClient<paths>({ baseUrl: '' })
api.use(auth)

interface ErrorBody {
  error?: { code?: string; message?: string; fields?: FieldProblem[] }
}

/** Turns an openapi-fetch answer into its data, or throws an ApiError with the server's words. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let answer: { data?: T; error?: unknown; response: Response }
  try {
    answer = await call
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试')
  }
  const { data, error, response } = answer
  if (!response.ok) {
    const body = (error ?? {}) as ErrorBody
    throw new ApiError(
      response.status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? `请求失败（${response.status}）`,
      body.error?.fields ?? [],
    )
  }
  return data as NonNullable<T>
}

/** Downloads what a POST or GET answers as a file (CSV exports), with the name the server gives it. */
export async function download(path: string, init: { method?: string; body?: unknown } = {}) {
  const session = loadSession()
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: {
      ...(session ? { authorization: `Bearer ${session.token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as ErrorBody
    throw new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? '导出失败')
  }
  const disposition = res.headers.get('content-disposition') ?? ''
  const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1]
  return { text: await res.text(), fileName: name ? decodeURIComponent(name) : 'export.csv' }
}

export function saveFile(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
