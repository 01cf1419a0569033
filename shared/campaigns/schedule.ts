// When a campaign runs: once (now or at a moment), yearly on its occasion, or daily — at a time of day
// in Asia/Shanghai. Pure: given the instant, it says which run (occasion key) is due, if any; the run's
// unique (campaign, occasion key) makes each occasion happen once whatever checks it.
import { z } from 'zod'
import { SHANGHAI_OFFSET_MS, shanghaiDate } from '../clock'

export const scheduleTypes = ['once', 'yearly', 'daily'] as const
export type ScheduleType = (typeof scheduleTypes)[number]

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')

export const scheduleSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('once'),
    /** When to send; null = as soon as approved. */
    at: z.iso.datetime({ offset: true }).nullable().default(null),
  }),
  /** On the campaign's occasion (a holiday greeting's festival) every year, from this time of day. */
  z.object({ type: z.literal('yearly'), time: timeOfDay.default('09:00') }),
  z.object({ type: z.literal('daily'), time: timeOfDay.default('09:00') }),
])
export type Schedule = z.infer<typeof scheduleSchema>

export interface DueRun {
  /** `once`, or the Asia/Shanghai date the run is for. */
  occasionKey: string
  runDate: string
}

const minutesOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Minutes since midnight in Asia/Shanghai. */
export function shanghaiMinutes(at: Date): number {
  const shifted = new Date(at.getTime() + SHANGHAI_OFFSET_MS)
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes()
}

/**
 * The run due at `now`, if any. `isOccasionDay` tells whether a date is the campaign's occasion (for a
 * yearly schedule). A yearly or daily run is due from its time of day until the end of that day, so a
 * worker that was down at 09:00 still sends at 09:40, but never the day after.
 */
export function dueRun(
  schedule: Schedule,
  now: Date,
  isOccasionDay: (date: string) => boolean,
): DueRun | null {
  const today = shanghaiDate(now)
  switch (schedule.type) {
    case 'once': {
      if (schedule.at && new Date(schedule.at).getTime() > now.getTime()) return null
      return { occasionKey: 'once', runDate: today }
    }
    case 'yearly':
      if (!isOccasionDay(today)) return null
      return shanghaiMinutes(now) >= minutesOfDay(schedule.time)
        ? { occasionKey: today, runDate: today }
        : null
    case 'daily':
      return shanghaiMinutes(now) >= minutesOfDay(schedule.time)
        ? { occasionKey: today, runDate: today }
        : null
  }
}

/** The Asia/Shanghai wall-clock time `hhmm` on `date`, as an instant. */
export function shanghaiInstant(date: string, hhmm: string): Date {
  return new Date(Date.parse(`${date}T${hhmm}:00.000Z`) - SHANGHAI_OFFSET_MS)
}

/**
 * When the next run will start, for estimates: the run date and the instant (never before `now`).
 * `occasionDates(year)` gives a yearly campaign's dates; null when it has none in the next two years.
 */
export function nextRunStart(
  schedule: Schedule,
  now: Date,
  occasionDates: (year: number) => string[],
): { runDate: string; startsAt: Date } | null {
  const today = shanghaiDate(now)
  const atLeastNow = (d: Date) => (d.getTime() < now.getTime() ? now : d)
  switch (schedule.type) {
    case 'once': {
      const at = schedule.at ? atLeastNow(new Date(schedule.at)) : now
      return { runDate: shanghaiDate(at), startsAt: at }
    }
    case 'daily':
      return { runDate: today, startsAt: atLeastNow(shanghaiInstant(today, schedule.time)) }
    case 'yearly': {
      const year = Number(today.slice(0, 4))
      const next = [...occasionDates(year), ...occasionDates(year + 1), ...occasionDates(year + 2)]
        .filter((d) => d >= today)
        .sort()[0]
      return next ? { runDate: next, startsAt: atLeastNow(shanghaiInstant(next, schedule.time)) } : null
    }
  }
}
