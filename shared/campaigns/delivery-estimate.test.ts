import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { accountPolicy, estimateFinish as pacedFinish, freshPacingState } from '../chat/pacing'
import { ASSUMED_SEND_INTERVAL_SECONDS, estimateFinish } from './delivery-estimate'

const pacing = { dailyCap: 300, quietStart: '22:00', quietEnd: '08:30', sentToday: 0, backlog: 0 }

describe('estimated finish of an account', () => {
  it('is the pacing rules’ own schedule (one owner of the pace)', () => {
    const start = new Date('2026-09-25T01:00:00Z')
    const rules = pacedFinish(
      10,
      accountPolicy({ ...pacing, pacing: {} }),
      start,
      'direct',
      freshPacingState(),
      {
        firstDay: '2000-01-01',
      },
    )
    expect(estimateFinish(pacing, 10, start)).toEqual(rules)
    // Nine expected gaps of the 1:1 rule (8–20 s, mean 14 s) after the first message.
    expect(rules.getTime() - start.getTime()).toBe(9 * 14_000)
    expect(ASSUMED_SEND_INTERVAL_SECONDS).toEqual({ min: 8, max: 20 })
  })

  it('waits for quiet hours to end', () => {
    // 23:00 Shanghai: nothing until 08:30 next day.
    expect(estimateFinish(pacing, 1, new Date('2026-09-25T15:00:00Z'))?.toISOString()).toBe(
      '2026-09-26T00:30:00.000Z',
    )
  })

  it('carries what the daily cap does not allow over to the next days, after the backlog and today’s sends', () => {
    const start = new Date('2026-09-25T01:00:00Z')
    // 300 a day, 250 already sent today, 100 queued ahead: today 50 of the backlog, tomorrow the rest.
    const finish = estimateFinish({ ...pacing, sentToday: 250, backlog: 100 }, 10, start)!
    expect(finish > new Date('2026-09-26T00:30:00Z')).toBe(true)
    expect(finish < new Date('2026-09-26T14:00:00Z')).toBe(true)
  })

  it('never finishes on an account with a cap of 0', () => {
    expect(estimateFinish({ ...pacing, dailyCap: 0 }, 1, new Date())).toBeNull()
  })

  it('never finishes before it starts, never in quiet hours, and later for more messages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
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
      { numRuns: 40 },
    )
  })
})
