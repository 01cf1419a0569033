// Environment -> typed, validated configuration. Read once at start; nothing else reads process.env.
import { randomBytes } from 'node:crypto'
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const port = z.coerce.number().int().min(0).max(65535)

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')

/** The shipped first-operator password: fine on a laptop, refused in production. */
export const DEFAULT_ADMIN_PASSWORD = 'admin12345'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  /** PostgreSQL server; when absent the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed a demo brand when the database is empty. */
  DEMO_SEED: bool.default(true),
  /** Largest JSON/form body accepted, e.g. "1mb". */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'must look like 512kb or 1mb')
    .default('1mb'),
  /** Key for secrets stored in the database (puppet tokens): 64 hex characters (32 bytes). */
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (32 bytes)')
    .optional(),
  /** Password of the first operator account ("admin"), created when no operator exists. */
  ADMIN_INITIAL_PASSWORD: z.string().min(8, 'must be at least 8 characters').default(DEFAULT_ADMIN_PASSWORD),
  /**
   * How long the mini-program's catalogue reads may be served from memory (seconds; 0 = never). Prices,
   * products and sell-outs drop the cache at once; stock counts and sales figures lag by at most this.
   */
  CATALOGUE_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),

  // Mini-program and official account (WeChat open platform APIs).
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHAT_MP_APPID: z
    .string()
    .regex(/^wx[0-9a-f]{16}$/, 'must be an appid like wx0123456789abcdef')
    .optional(),
  WECHAT_MP_SECRET: z.string().min(16).optional(),

  // Official account (公众号) message push: 服务器配置 in the official account's admin.
  WECHAT_OA_APPID: z
    .string()
    .regex(/^wx[0-9a-f]{16}$/, 'must be an appid like wx0123456789abcdef')
    .optional(),
  /** The Token of 服务器配置: 3-32 letters or digits. */
  WECHAT_OA_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3-32 letters or digits')
    .optional(),
  /** The EncodingAESKey of 服务器配置 (43 characters); needed for the safe and compatible modes. */
  WECHAT_OA_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey')
    .optional(),

  // WeChat Pay v3 (merchant).
  WECHATPAY_API_BASE: z.string().url().default('https://api.mch.weixin.qq.com'),
  WECHATPAY_MCHID: z
    .string()
    .regex(/^\d{8,12}$/, 'must be the 8-12 digit merchant id')
    .optional(),
  WECHATPAY_MERCHANT_SERIAL: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,40}$/)
    .optional(),
  WECHATPAY_MERCHANT_PRIVATE_KEY_PATH: z.string().optional(),
  WECHATPAY_APIV3_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: z.string().optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: z.string().optional(),
  WECHATPAY_NOTIFY_URL: z.string().url().optional(),

  // Bot: the default puppet for accounts that do not name one.
  WECHATY_PUPPET: z
    .enum(['wechaty-puppet-mock', 'wechaty-puppet-service', 'wechaty-puppet-wechat4u'])
    .default('wechaty-puppet-mock'),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().optional(),
  /**
   * The puppet service's gRPC address (host:port). Given, it is used as is; absent, it is discovered
   * from the token at WECHATY_PUPPET_SERVICE_DISCOVERY_URL (our own lookup, not wechaty-token's resolver).
   */
  WECHATY_PUPPET_SERVICE_ENDPOINT: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  WECHATY_PUPPET_SERVICE_DISCOVERY_URL: z.string().url().default('https://api.chatie.io/v0/hosties/'),
  /** The service speaks plain gRPC without TLS (community servers). */
  WECHATY_PUPPET_SERVICE_NO_TLS: bool.default(false),
  /**
   * Demo mode over the real wire: each account on the mock puppet runs on wechaty-puppet-service,
   * talking gRPC to a local PuppetServer (on a loopback port) that serves its simulated WeChat.
   */
  DEMO_PUPPET_SERVICE: bool.default(false),
  /** An account whose puppet keeps failing is retried after 30 s, doubling up to 30 min. */
  BOT_RETRY_MIN_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
  BOT_RETRY_MAX_SECONDS: z.coerce.number().min(0.01).max(86_400).default(1800),
  /** Identifies this process when it leases bot accounts or claims jobs. */
  INSTANCE_ID: z.string().min(1).optional(),

  // Sending safety defaults (per account; accounts may override).
  QUIET_HOURS_START: hhmm.default('22:00'),
  QUIET_HOURS_END: hhmm.default('08:30'),
})

export type RawConfig = z.infer<typeof configSchema>

export interface Config extends RawConfig {
  /** True when no WeChat credentials are configured: bot accounts run on the mock puppet. */
  demoMode: boolean
  databaseKind: 'pglite' | 'postgres'
  /**
   * The key every signature derives from (till codes…): SECRET_KEY, or outside production a random key
   * for this process only (codes signed by an earlier start stop verifying). Never a key in the source.
   */
  signingKey: string
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`configuration error: ${variable} ${problem}`)
    this.name = 'ConfigError'
  }
}

/** Validate the environment; throws ConfigError naming the first wrong variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = configSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const variable = String(issue.path[0] ?? 'environment')
    const value = input[variable]
    const shown =
      value === undefined ? '' : ` (got "${/KEY|SECRET|TOKEN|PASSWORD/.test(variable) ? '***' : value}")`
    throw new ConfigError(variable, `${issue.message}${shown}`)
  }
  const raw = parsed.data
  if (raw.WECHATPAY_MCHID && !raw.WECHATPAY_APIV3_KEY) {
    throw new ConfigError('WECHATPAY_APIV3_KEY', 'is required when WECHATPAY_MCHID is set')
  }
  if (raw.WECHAT_MP_APPID && !raw.WECHAT_MP_SECRET) {
    throw new ConfigError('WECHAT_MP_SECRET', 'is required when WECHAT_MP_APPID is set')
  }
  if (raw.WECHAT_OA_APPID && !raw.WECHAT_OA_TOKEN) {
    throw new ConfigError('WECHAT_OA_TOKEN', 'is required when WECHAT_OA_APPID is set')
  }
  if ((raw.WECHAT_OA_TOKEN || raw.WECHAT_OA_AES_KEY) && !raw.WECHAT_OA_APPID) {
    throw new ConfigError('WECHAT_OA_APPID', 'is required when WECHAT_OA_TOKEN or WECHAT_OA_AES_KEY is set')
  }
  if (raw.NODE_ENV === 'production') {
    if (!raw.SECRET_KEY)
      throw new ConfigError(
        'SECRET_KEY',
        'is required in production (64 hex characters: openssl rand -hex 32)',
      )
    if (raw.ADMIN_INITIAL_PASSWORD === DEFAULT_ADMIN_PASSWORD)
      throw new ConfigError('ADMIN_INITIAL_PASSWORD', 'must not be the default password in production')
  }
  return {
    ...raw,
    demoMode:
      !raw.WECHAT_MP_APPID &&
      !raw.WECHATY_PUPPET_SERVICE_TOKEN &&
      raw.WECHATY_PUPPET === 'wechaty-puppet-mock',
    databaseKind: raw.DATABASE_URL ? 'postgres' : 'pglite',
    signingKey: raw.SECRET_KEY ?? randomBytes(32).toString('hex'),
  }
}
