import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  accountPolicy,
  defaultPacingPolicy as policy,
  endOfQuietHours,
  estimateFinish,
  freshPacingState,
  inQuietHours,
  nextSendTime,
  recordLimited,
  recordSend,
  type PacingState,
} from './pacing'

// 2026-03-02 10:00 in Shanghai = 02:00 UTC.
const at = (shanghai: string) => new Date(`${shanghai}+08:00`)

describe('quiet hours (Asia/Shanghai)', () => {
  it('wraps midnight: 22:00–08:30 is quiet, 08:30 is not', () => {
    expect(inQuietHours(at('2026-03-02T21:59:59'), policy)).toBe(false)
    expect(inQuietHours(at('2026-03-02T22:00:00'), policy)).toBe(true)
    expect(inQuietHours(at('2026-03-03T03:00:00'), policy)).toBe(true)
    expect(inQuietHours(at('2026-03-03T08:30:00'), policy)).toBe(false)
    expect(endOfQuietHours(at('2026-03-02T23:10:00'), policy)).toEqual(at('2026-03-03T08:30:00'))
    expect(endOfQuietHours(at('2026-03-03T07:10:00'), policy)).toEqual(at('2026-03-03T08:30:00'))
  })
  it('handles a window inside one day', () => {
    const lunch = { quietStart: '12:00', quietEnd: '13:30' }
    expect(inQuietHours(at('2026-03-02T12:30:00'), lunch)).toBe(true)
    expect(inQuietHours(at('2026-03-02T23:30:00'), lunch)).toBe(false)
    expect(endOfQuietHours(at('2026-03-02T12:30:00'), lunch)).toEqual(at('2026-03-02T13:30:00'))
  })
})

describe('nextSendTime', () => {
  it('waits the drawn gap after a send, longer for group posts', () => {
    const t0 = at('2026-03-02T10:00:00')
    const s = recordSend(freshPacingState(), policy, 'direct', t0, () => 0)
    expect(nextSendTime(s, policy, t0, 'direct')).toEqual(new Date(t0.getTime() + 8_000))
    const g = recordSend(s, policy, 'group', t0, () => 1)
    expect(nextSendTime(g, policy, t0, 'group').getTime() - t0.getTime()).toBeGreaterThanOrEqual(39_999)
    expect(nextSendTime(g, policy, t0, 'direct').getTime() - t0.getTime()).toBeLessThanOrEqual(20_000)
  })
  it('moves a send inside quiet hours to their end, and a full day to the next morning', () => {
    expect(nextSendTime(freshPacingState(), policy, at('2026-03-02T23:00:00'))).toEqual(
      at('2026-03-03T08:30:00'),
    )
    const full: PacingState = { ...freshPacingState(), pacingDay: '2026-03-02', sentOnDay: 300 }
    expect(nextSendTime(full, policy, at('2026-03-02T15:00:00'))).toEqual(at('2026-03-03T08:30:00'))
  })
  it('pauses 12–24 hours after "too frequent"', () => {
    const t0 = at('2026-03-02T10:00:00')
    const s = recordLimited(freshPacingState(), policy, t0, 0)
    // Paused until 22:00, which is quiet: the next send is the next morning.
    expect(nextSendTime(s, policy, t0)).toEqual(at('2026-03-03T08:30:00'))
    const s2 = recordLimited(freshPacingState(), policy, at('2026-03-02T09:00:00'), 0)
    expect(s2.pausedUntil).toEqual(at('2026-03-02T21:00:00'))
  })
  it('reads an account row: its cap and quiet hours over the defaults, bad overrides ignored', () => {
    const p = accountPolicy({
      dailyCap: 50,
      quietStart: '21:00',
      quietEnd: '09:00',
      pacing: { directGapMs: [10_000, 30_000] },
    })
    expect(p).toMatchObject({
      dailyCap: 50,
      quietStart: '21:00',
      directGapMs: [10_000, 30_000],
      groupGapMs: [20_000, 40_000],
    })
    expect(
      accountPolicy({ dailyCap: 5, quietStart: '22:00', quietEnd: '08:30', pacing: { directGapMs: 'x' } })
        .directGapMs,
    ).toEqual([8_000, 20_000])
  })
  it('estimates a finish time: 600 greetings at 300 a day take into the next day', () => {
    const start = at('2026-03-02T09:00:00')
    const done = estimateFinish(600, policy, start)
    expect(done.getTime()).toBeGreaterThan(at('2026-03-03T08:30:00').getTime())
    expect(done.getTime()).toBeLessThan(at('2026-03-03T12:00:00').getTime())
  })
})

describe('a schedule that follows nextSendTime never breaks the policy (property)', () => {
  it('holds for any start, random draws and kind mix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 1, max: 60 }),
        (startMinute, draws, cap) => {
          const p = { ...policy, dailyCap: cap }
          let s = freshPacingState()
          let t = new Date(Date.UTC(2026, 0, 1) + startMinute * 60_000)
          const sent: { at: Date; group: boolean }[] = []
          for (const [group, r] of draws) {
            const kind = group ? 'group' : 'direct'
            t = nextSendTime(s, p, t, kind)
            s = recordSend(s, p, kind, t, () => r)
            sent.push({ at: t, group })
          }
          const perDay = new Map<string, number>()
          for (let i = 0; i < sent.length; i++) {
            const x = sent[i]!
            if (inQuietHours(x.at, p)) return false
            const d = new Date(x.at.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
            perDay.set(d, (perDay.get(d) ?? 0) + 1)
            if (perDay.get(d)! > cap) return false
            if (i > 0 && x.at.getTime() - sent[i - 1]!.at.getTime() < p.directGapMs[0]) return false
            const prevGroup = sent
              .slice(0, i)
              .reverse()
              .find((y) => y.group)
            if (x.group && prevGroup && x.at.getTime() - prevGroup.at.getTime() < p.groupGapMs[0])
              return false
          }
          return true
        },
      ),
      { numRuns: 200 },
    )
  })
})
