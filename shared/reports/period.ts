// Report periods are calendar days in Asia/Shanghai; the database stores UTC instants.
import { SHANGHAI_OFFSET_MS, shanghaiDate } from '../clock'

export interface Period {
  /** Inclusive calendar dates, Asia/Shanghai. */
  from: string
  to: string
  /** [start, end) as instants. */
  start: Date
  end: Date
}

const DAY_MS = 86_400_000
export const DEFAULT_PERIOD_DAYS = 30

/** The instant a Shanghai calendar day begins. */
export function shanghaiDayStart(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS)
}

/** The period from `from` to `to` (inclusive); by default the last 30 days up to today. */
export function reportPeriod(
  now: Date,
  query: { from?: string | undefined; to?: string | undefined },
): Period {
  const to = query.to ?? shanghaiDate(now)
  const from =
    query.from ?? shanghaiDate(new Date(shanghaiDayStart(to).getTime() - (DEFAULT_PERIOD_DAYS - 1) * DAY_MS))
  return { from, to, start: shanghaiDayStart(from), end: new Date(shanghaiDayStart(to).getTime() + DAY_MS) }
}

/** a ÷ b, or null when there is nothing to divide by. */
export function rate(a: number, b: number): number | null {
  return b > 0 ? a / b : null
}
