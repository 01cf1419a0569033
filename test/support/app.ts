// The real Koa app on an ephemeral port, with a small JSON client for tests.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createApp } from '../../server/app'
import type { AppDeps } from '../../server/deps'
import type { Database } from '../../shared/db/client'
import { systemClock, type Clock } from '../../shared/clock'
import { testConfig, silentLogger } from './config'

export interface TestResponse<T = unknown> {
  status: number
  body: T
  headers: Headers
  text: string
}

export interface TestApp {
  url: string
  deps: AppDeps
  request<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> },
  ): Promise<TestResponse<T>>
  close(): Promise<void>
}

export async function startTestApp(
  database: Database,
  overrides: Partial<AppDeps> & { clock?: Clock } = {},
): Promise<TestApp> {
  const deps: AppDeps = {
    db: database.db,
    config: testConfig(database.kind === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL! } : {}),
    logger: silentLogger(),
    clock: systemClock,
    ...overrides,
  }
  const app = createApp(deps)
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    deps,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) }
      let body: string | undefined
      if (options.raw !== undefined) body = options.raw
      else if (options.body !== undefined) body = JSON.stringify(options.body)
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
      if (options.token) headers.authorization = `Bearer ${options.token}`
      const res = await fetch(url + path, { method, headers, body })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        // not JSON (CSV, HTML): leave as text
      }
      return { status: res.status, body: parsed as never, headers: res.headers, text }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
