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
    ['WECHAT_OA_APPID', 'gh_1234567890ab'],
    ['WECHAT_OA_TOKEN', 'has space'],
    ['WECHAT_OA_AES_KEY', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'],
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

  it('takes the official account as appid + token, the AES key optional, never half of it', () => {
    const c = loadConfig({ WECHAT_OA_APPID: 'wx2c2769f8efd9abc2', WECHAT_OA_TOKEN: 'spamtest' })
    expect(c.WECHAT_OA_TOKEN).toBe('spamtest')
    expect(c.demoMode).toBe(true)
    expect(() => loadConfig({ WECHAT_OA_APPID: 'wx2c2769f8efd9abc2' })).toThrow(/WECHAT_OA_TOKEN is required/)
    expect(() => loadConfig({ WECHAT_OA_TOKEN: 'spamtest' })).toThrow(/WECHAT_OA_APPID is required/)
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

describe("the README's configuration table", () => {
  it('lists every key the config reads, and no other', async () => {
    const { readFileSync } = await import('node:fs')
    const { configSchema } = await import('./config')
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const table = readme.split('## Configuration')[1]!.split('\n## ')[0]!
    const documented = new Set(
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)),
    )
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort())
  })
})
