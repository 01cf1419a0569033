import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { activeWindows, estimateFinish } from './delivery-estimate'

const pacing = { dailyCap: 300, quietStart: '22:00', quietEnd: '08:30', sentToday: 0, backlog: 0 }

describe('estimated finish of an account', () => {
  it('sends one every 40 s from the start inside active hours', () => {
    // 09:00 Shanghai; 10 messages → the last at 09:06:00.
    expect(estimateFinish(pacing, 10, new Date('2026-09-25T01:00:00Z'))?.toISOString()).toBe(
      '2026-09-25T01:06:00.000Z',
    )
  })

  it('waits for quiet hours to end', () => {
    // 23:00 Shanghai: nothing until 08:30 next day.
    expect(estimateFinish(pacing, 1, new Date('2026-09-25T15:00:00Z'))?.toISOString()).toBe(
      '2026-09-26T00:30:00.000Z',
    )
  })

  it('carries what the daily cap does not allow over to the next days, after the backlog and today’s sends', () => {
    const start = new Date('2026-09-25T01:00:00Z')
    // 300 a day, 250 already sent today, 100 queued ahead: today 50 of the backlog, tomorrow 50 + 10 of ours.
    const finish = estimateFinish({ ...pacing, sentToday: 250, backlog: 100 }, 10, start)
    expect(finish?.toISOString()).toBe(
      new Date(Date.parse('2026-09-26T00:30:00Z') + 59 * 40_000).toISOString(),
    )
  })

  it('is limited by the active hours when the cap is high', () => {
    // 13.5 active hours at 40 s = 1215 a day (the last at 21:59:20).
    const finish = estimateFinish({ ...pacing, dailyCap: 10_000 }, 1216, new Date('2026-09-25T00:30:00Z'))
    expect(finish?.toISOString()).toBe('2026-09-26T00:30:00.000Z')
  })

  it('never finishes on an account with a cap of 0', () => {
    expect(estimateFinish({ ...pacing, dailyCap: 0 }, 1, new Date())).toBeNull()
  })

  it('handles quiet hours inside the day and none at all', () => {
    expect(activeWindows('12:00', '13:00')).toEqual([
      [0, 720],
      [780, 1440],
    ])
    expect(activeWindows('00:00', '00:00')).toEqual([[0, 1440]])
  })

  it('never finishes before it starts, never in quiet hours, and later for more messages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 1440 * 3 - 1 }),
        (count, cap, minute) => {
          const start = new Date(Date.parse('2026-09-24T16:00:00Z') + minute * 60_000)
          const p = { ...pacing, dailyCap: cap }
          const a = estimateFinish(p, count, start)!
          const b = estimateFinish(p, count + 1, start)!
          expect(a.getTime()).toBeGreaterThanOrEqual(start.getTime())
          expect(b.getTime()).toBeGreaterThan(a.getTime())
          const local = (a.getTime() + 8 * 3600_000) % 86_400_000
          expect(local >= 8.5 * 3600_000 && local < 22 * 3600_000).toBe(true)
        },
      ),
    )
  })
})
