import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config'

describe('loadConfig', () => {
  it('defaults to the embedded database in demo mode', () => {
    const c = loadConfig({})
    expect(c.databaseKind).toBe('pglite')
    expect(c.demoMode).toBe(true)
    expect(c.PORT).toBe(3000)
    expect(c.DATA_DIR).toBe('./data')
  })

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db.example:5432/brand' })
    expect(c.databaseKind).toBe('postgres')
  })

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['LOG_LEVEL', 'loud'],
    ['DEMO_SEED', 'maybe'],
    ['WECHAT_MP_APPID', 'not-an-appid'],
    ['SECRET_KEY', 'short'],
  ])('names %s when it is wrong (%s)', (variable, value) => {
    try {
      loadConfig({ [variable]: value })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).variable).toBe(variable)
      expect((err as Error).message).toMatch(new RegExp(`^configuration error: ${variable} `))
      expect((err as Error).message.split('\n')).toHaveLength(1)
    }
  })

  it('never prints a secret value in the error', () => {
    expect(() => loadConfig({ WECHATPAY_APIV3_KEY: 'tooshort-secret' })).toThrow(
      /WECHATPAY_APIV3_KEY.*\*\*\*/,
    )
    expect(() => loadConfig({ WECHATPAY_APIV3_KEY: 'tooshort-secret' })).not.toThrow(/tooshort-secret/)
  })

  it('requires the pieces that belong together', () => {
    expect(() => loadConfig({ WECHAT_MP_APPID: 'wx0123456789abcdef' })).toThrow(/WECHAT_MP_SECRET/)
    expect(() => loadConfig({ WECHATPAY_MCHID: '1900000109' })).toThrow(/WECHATPAY_APIV3_KEY/)
  })

  it('leaves demo mode once real WeChat credentials are configured', () => {
    const c = loadConfig({ WECHAT_MP_APPID: 'wx0123456789abcdef', WECHAT_MP_SECRET: '0123456789abcdef0123' })
    expect(c.demoMode).toBe(false)
  })

  it('refuses a production start without SECRET_KEY or with the default admin password, in one line', () => {
    const key = 'ab'.repeat(32)
    const cases: [Record<string, string>, string][] = [
      [{ ADMIN_INITIAL_PASSWORD: 'a-strong-pass-9' }, 'SECRET_KEY'],
      [{ SECRET_KEY: key }, 'ADMIN_INITIAL_PASSWORD'],
      [{ SECRET_KEY: key, ADMIN_INITIAL_PASSWORD: 'admin12345' }, 'ADMIN_INITIAL_PASSWORD'],
    ]
    for (const [env, variable] of cases) {
      const err = (() => {
        try {
          loadConfig({ NODE_ENV: 'production', ...env })
        } catch (e) {
          return e as ConfigError
        }
      })()
      expect(err).toBeInstanceOf(ConfigError)
      expect(err!.variable).toBe(variable)
      expect(err!.message.split('\n')).toHaveLength(1)
    }
    const ok = loadConfig({
      NODE_ENV: 'production',
      SECRET_KEY: key,
      ADMIN_INITIAL_PASSWORD: 'a-strong-pass-9',
    })
    expect(ok.signingKey).toBe(key)
  })

  it('signs with SECRET_KEY, or outside production with a key of this process only', () => {
    const a = loadConfig({})
    const b = loadConfig({})
    expect(a.signingKey).toMatch(/^[0-9a-f]{64}$/)
    expect(a.signingKey).not.toBe(b.signingKey)
  })
})
