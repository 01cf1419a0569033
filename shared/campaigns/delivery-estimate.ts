// When an advisor account will have sent a campaign: pure arithmetic over the account's pacing — one
// message every `interval` seconds on average, at most `dailyCap` a day (Asia/Shanghai days), never in
// quiet hours, after whatever is already queued for it. The bot's sender adds jitter around the same
// mean interval; the estimate uses the mean.
import { SHANGHAI_OFFSET_MS } from '../clock'

/**
 * The interval between two proactive messages of one account that the estimate assumes, in seconds: a
 * documented range, uniformly jittered, mean 40 s. (The bot's paced sender owns the real rule.)
 */
export const ASSUMED_SEND_INTERVAL_SECONDS = { min: 20, max: 60 } as const

export interface AccountPacing {
  dailyCap: number
  /** HH:MM Asia/Shanghai; equal start and end = no quiet hours. */
  quietStart: string
  quietEnd: string
  /** Proactive messages the account already sent today (they count against today's cap). */
  sentToday: number
  /** Messages already queued for the account, sent before this campaign's. */
  backlog: number
}

const DAY_MS = 86_400_000
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** The active (non-quiet) windows of a day, as [start, end) minutes. */
export function activeWindows(quietStart: string, quietEnd: string): [number, number][] {
  const qs = minutes(quietStart)
  const qe = minutes(quietEnd)
  if (qs === qe) return [[0, 1440]]
  if (qs > qe) return [[qe, qs]] // quiet overnight, e.g. 22:00–08:30
  return [
    [0, qs],
    [qe, 1440],
  ].filter(([a, b]) => b! > a!) as [number, number][]
}

/**
 * The instant the last of `count` messages goes out, starting no earlier than `start`; null when the
 * account can never send (a daily cap of 0, or no active time at all).
 */
export function estimateFinish(
  pacing: AccountPacing,
  count: number,
  start: Date,
  intervalSeconds: number = (ASSUMED_SEND_INTERVAL_SECONDS.min + ASSUMED_SEND_INTERVAL_SECONDS.max) / 2,
): Date | null {
  if (count <= 0) return start
  const windows = activeWindows(pacing.quietStart, pacing.quietEnd)
  if (pacing.dailyCap <= 0 || windows.length === 0) return null
  const stepMs = intervalSeconds * 1000
  let remaining = pacing.backlog + count
  // Local (Shanghai) midnight of the start day, as a UTC instant.
  const localStart = start.getTime() + SHANGHAI_OFFSET_MS
  let dayStart = Math.floor(localStart / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS
  let usedToday = pacing.sentToday
  for (let day = 0; day < 3660; day++) {
    let capacity = Math.max(0, pacing.dailyCap - usedToday)
    for (const [from, to] of windows) {
      if (capacity === 0) break
      const windowStart = Math.max(dayStart + from * 60_000, start.getTime())
      const windowEnd = dayStart + to * 60_000
      if (windowEnd <= windowStart) continue
      const fits = Math.ceil((windowEnd - windowStart) / stepMs)
      const sendNow = Math.min(capacity, fits, remaining)
      remaining -= sendNow
      capacity -= sendNow
      if (remaining === 0) return new Date(windowStart + (sendNow - 1) * stepMs)
    }
    dayStart += DAY_MS
    usedToday = 0
  }
  return null
}
