// How failures are logged: an expected one (a DomainError, even a 503) is a warning with its code and
// no stack; only an unexpected one is an error with its stack.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { DomainError } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import { errorHandler } from './errors'

async function run(thrown: unknown) {
  const lines: string[] = []
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk))
        cb()
      },
    }),
  })
  const ctx = { state: { log }, status: 404, body: undefined as unknown }
  await errorHandler()(ctx as never, async () => {
    throw thrown
  })
  return { status: ctx.status, body: ctx.body, logs: lines.map((l) => JSON.parse(l)) }
}

describe('errorHandler logging', () => {
  it('an unconfigured WeChat API (503 DomainError) is a warning without a stack', async () => {
    const r = await run(new DomainError('wechat_not_configured', '未配置小程序 AppID，无法微信登录', 503))
    expect(r.status).toBe(503)
    expect(r.logs).toEqual([
      expect.objectContaining({ level: 40, code: 'wechat_not_configured', status: 503 }),
    ])
    expect(JSON.stringify(r.logs)).not.toMatch(/stack/)
  })

  it('an unexpected failure is an error with its stack, and the answer reveals nothing', async () => {
    const r = await run(new Error('relation "x" does not exist'))
    expect(r.status).toBe(500)
    expect(r.body).toEqual({ error: { code: 'internal_error', message: '服务器内部错误，请稍后重试' } })
    expect(r.logs).toEqual([expect.objectContaining({ level: 50, msg: 'unhandled error' })])
    expect(r.logs[0].err.stack).toContain('relation "x" does not exist')
  })
})
