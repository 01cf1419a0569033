// Structured logs (pino). Phone numbers, tokens and secrets never reach a log line in clear.
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g

/** 13812345678 -> 138****5678, wherever it appears in a string. */
export function maskPhones(text: string): string {
  return text.replace(PHONE, '$1****$2')
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
  if (typeof value === 'string') return maskPhones(value)
  if (depth > 4 || value === null || typeof value !== 'object') return value
  if (value instanceof Error) return value
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
      formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as Parameters<
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
