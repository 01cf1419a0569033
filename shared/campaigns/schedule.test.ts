import { describe, expect, it } from 'vitest'
import { dueRun, nextRunStart, shanghaiInstant } from './schedule'

const never = () => false
const midAutumn = (d: string) => d === '2026-09-25'

describe('when a run is due', () => {
  it('yearly: on the occasion day in Shanghai, from the time of day to midnight', () => {
    const s = { type: 'yearly' as const, time: '09:00' }
    expect(dueRun(s, new Date('2026-09-25T00:59:00Z'), midAutumn)).toBeNull()
    expect(dueRun(s, new Date('2026-09-25T01:00:00Z'), midAutumn)).toEqual({
      occasionKey: '2026-09-25',
      runDate: '2026-09-25',
    })
    expect(dueRun(s, new Date('2026-09-25T15:59:00Z'), midAutumn)).toEqual({
      occasionKey: '2026-09-25',
      runDate: '2026-09-25',
    })
    expect(dueRun(s, new Date('2026-09-25T16:00:00Z'), midAutumn)).toBeNull()
  })

  it('daily: every day after the time, keyed by the Shanghai date', () => {
    const s = { type: 'daily' as const, time: '07:30' }
    expect(dueRun(s, new Date('2026-03-01T23:30:00Z'), never)).toEqual({
      occasionKey: '2026-03-02',
      runDate: '2026-03-02',
    })
    expect(dueRun(s, new Date('2026-03-01T23:29:00Z'), never)).toBeNull()
  })

  it('once: now, or from its moment', () => {
    expect(dueRun({ type: 'once', at: null }, new Date('2026-03-01T00:00:00Z'), never)?.occasionKey).toBe(
      'once',
    )
    const at = { type: 'once' as const, at: '2026-03-02T10:00:00+08:00' }
    expect(dueRun(at, new Date('2026-03-02T01:59:00Z'), never)).toBeNull()
    expect(dueRun(at, new Date('2026-03-02T02:00:00Z'), never)).toEqual({
      occasionKey: 'once',
      runDate: '2026-03-02',
    })
  })

  it('finds the next run of a yearly campaign for the dry run', () => {
    const dates = (y: number) => ({ 2026: ['2026-09-25'], 2027: ['2027-09-15'] })[y] ?? []
    expect(nextRunStart({ type: 'yearly', time: '09:00' }, new Date('2026-10-01T00:00:00Z'), dates)).toEqual({
      runDate: '2027-09-15',
      startsAt: shanghaiInstant('2027-09-15', '09:00'),
    })
    expect(shanghaiInstant('2027-09-15', '09:00').toISOString()).toBe('2027-09-15T01:00:00.000Z')
  })
})
