// Structured logs (pino). Phone numbers, tokens, WeChat ids and secrets never reach a log line in
// clear: not in fields, messages, nor inside error objects (a database error's query parameters and
// detail, its cause).
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g

/** 13812345678 -> 138****5678, wherever it appears in a string. */
export function maskPhones(text: string): string {
  return text.replace(PHONE, '$1****$2')
}

/** Bearer tokens, openids/unionids, session keys: long runs of letters and digits (not UUIDs). */
const TOKEN = /(?<![\w-])[A-Za-z0-9_-]{24,}(?![\w-])/g
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Resident identity card numbers. */
const ID_CARD = /(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)/g

/** Phones, identity numbers and token-like runs masked wherever they appear in a string. */
export function maskSensitive(text: string): string {
  return maskPhones(text)
    .replace(ID_CARD, '$1********$2')
    .replace(TOKEN, (run) => {
      const letters = run.replace(/[^A-Za-z]/g, '').length
      const digits = run.replace(/\D/g, '').length
      if (UUID.test(run) || letters < 3 || digits < 2) return run
      return `${run.slice(0, 4)}***`
    })
}

const SECRET_PATHS = [
  'token',
  'accessToken',
  'access_token',
  'sessionKey',
  'session_key',
  'password',
  'secret',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.sessionKey',
  '*.session_key',
  '*.access_token',
]

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSensitive(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  // Serialised here (message, stack, cause and own fields such as a query's params), then masked.
  if (value instanceof Error) {
    const { cause } = value as { cause?: unknown }
    return maskDeep({ ...pino.stdSerializers.errWithCause(value), ...(cause ? { cause } : {}) }, depth + 1)
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1)
  return out
}

export interface LoggerOptions {
  level?: string
  /** Where lines go; stdout by default. */
  destination?: pino.DestinationStream
  /**
   * One readable line per event (time, level, message, fields) instead of JSON. By default when the
   * logs go to a terminal; JSON otherwise, for a log collector.
   */
  pretty?: boolean
}

/** A readable line per event, for a person at a terminal. */
function prettyStream(destination?: pino.DestinationStream): pino.DestinationStream {
  return pretty({
    colorize: !destination && process.stdout.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    ...(destination ? { destination: destination as NodeJS.WritableStream } : {}),
    sync: true,
  })
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const readable = options.pretty ?? (!options.destination && process.stdout.isTTY === true)
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: SECRET_PATHS, censor: '***' },
      serializers: { err: pino.stdSerializers.errWithCause },
      formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskSensitive(a) : a)) as Parameters<
            typeof method
          >
          method.apply(this, masked)
        },
      },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    readable ? prettyStream(options.destination) : options.destination,
  )
}
