import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, maskPhones } from './logger'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  return { lines, logger: createLogger({ level: 'info', destination }) }
}

describe('logger', () => {
  it('masks mainland mobile numbers but leaves other digits alone', () => {
    expect(maskPhones('手机 13812345678 已绑定')).toBe('手机 138****5678 已绑定')
    expect(maskPhones('order D2026112200000001234')).toBe('order D2026112200000001234')
    expect(maskPhones('12345678901')).toBe('12345678901')
  })

  it('masks phones in fields and messages, and redacts tokens and passwords', () => {
    const { lines, logger } = capture()
    logger.info(
      { phone: '13912345678', nested: { note: 'call 15800001111' }, token: 'abc', password: 'p@ss' },
      'bound 13700002222',
    )
    const line = JSON.parse(lines[0]!)
    expect(line.phone).toBe('139****5678')
    expect(line.nested.note).toBe('call 158****1111')
    expect(line.token).toBe('***')
    expect(line.password).toBe('***')
    expect(line.msg).toBe('bound 137****2222')
    expect(lines[0]).not.toMatch(/13912345678|abc"|p@ss/)
  })

  it('writes one readable line per event when asked (a terminal), masking as in JSON', () => {
    const lines: string[] = []
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk))
        cb()
      },
    })
    const logger = createLogger({ level: 'info', destination, pretty: true })
    logger.warn({ memberId: 7, phone: '13912345678' }, 'member bound')
    const text = lines.join('')
    expect(text.trim().split('\n')).toHaveLength(1)
    expect(text).toMatch(/WARN.*member bound.*"memberId":7/)
    expect(text).toContain('139****5678')
    expect(() => JSON.parse(text)).toThrow()
  })
})

describe('errors in logs', () => {
  it('masks phones, tokens and ids inside an error, its parameters and its cause', () => {
    const { lines, logger } = capture()
    const cause = Object.assign(new Error('duplicate key value violates unique constraint'), {
      detail: 'Key (kind, value)=(phone, 13812345678) already exists.',
    })
    const err = Object.assign(new Error('Failed query: insert into member_identities values ($1, $2, $3)'), {
      query: 'insert into member_identities values ($1, $2, $3)',
      params: ['phone', '13812345678', 'oAbC1dEfG2hIjK3lMnO4pQrS5tUv'],
      cause,
    })
    logger.error(
      { err, token: undefined, requestId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      'unhandled error',
    )
    const text = lines[0]!
    expect(text).not.toMatch(/13812345678|oAbC1dEfG2hIjK3lMnO4pQrS5tUv/)
    const line = JSON.parse(text)
    expect(line.err.params).toEqual(['phone', '138****5678', 'oAbC***'])
    expect(line.err.cause.detail).toContain('138****5678')
    expect(line.err.stack).toMatch(/Failed query/)
    expect(line.requestId).toBe('0f8fad5b-d9cb-469f-a165-70867728950e')
  })

  it('masks a bearer token and an identity number in a message', () => {
    const { lines, logger } = capture()
    logger.warn('token Zk3pQ9xW2mN7vB4cL8dR1tY6uH0sA5eF for 110101199003074518')
    expect(JSON.parse(lines[0]!).msg).toBe('token Zk3p*** for 110101********4518')
  })
})
