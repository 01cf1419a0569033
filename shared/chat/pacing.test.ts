import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  accountEnv,
  accountPolicy,
  actionKinds,
  dailyAllowance,
  defaultPacingPolicy as policy,
  endOfQuietHours,
  estimateFinish,
  freshPacingState,
  inQuietHours,
  latestPause,
  NEVER,
  nextActionTime,
  recordAction,
  recordFailedSend,
  recordLimited,
  replyDelayMs,
  repeatedlyLimited,
  withOverrides,
  type PacingEnv,
} from './pacing'

// 2026-03-02 10:00 in Shanghai = 02:00 UTC.
const at = (shanghai: string) => new Date(`${shanghai}+08:00`)
/** An account past its warm-up. */
const grown: PacingEnv = { firstDay: '2025-01-01' }
const account = { dailyCap: 300, quietStart: '22:00', quietEnd: '08:30', pacing: {} }

describe('quiet hours (Asia/Shanghai)', () => {
  const night = { quietStart: '22:00', quietEnd: '08:30' }
  it('wraps midnight: 22:00–08:30 is quiet, 08:30 is not', () => {
    expect(inQuietHours(at('2026-03-02T21:59:59'), night)).toBe(false)
    expect(inQuietHours(at('2026-03-02T22:00:00'), night)).toBe(true)
    expect(inQuietHours(at('2026-03-03T03:00:00'), night)).toBe(true)
    expect(inQuietHours(at('2026-03-03T08:30:00'), night)).toBe(false)
    expect(endOfQuietHours(at('2026-03-02T23:10:00'), night)).toEqual(at('2026-03-03T08:30:00'))
  })
  it('handles a window inside one day', () => {
    const lunch = { quietStart: '12:00', quietEnd: '13:30' }
    expect(inQuietHours(at('2026-03-02T12:30:00'), lunch)).toBe(true)
    expect(endOfQuietHours(at('2026-03-02T12:30:00'), lunch)).toEqual(at('2026-03-02T13:30:00'))
  })
  it('holds every kind at night but a reply to a member who just wrote', () => {
    const p = accountPolicy(account)
    for (const k of actionKinds) {
      const t = nextActionTime(freshPacingState(), p, k, at('2026-03-02T23:00:00'), grown)
      expect(t).toEqual(k === 'reply' ? at('2026-03-02T23:00:00') : at('2026-03-03T08:30:00'))
    }
  })
})

describe('gaps and caps, each kind its own counters', () => {
  const p = accountPolicy(account)
  const t0 = at('2026-03-02T10:00:00')

  it('waits the drawn gap of the kind, and the gap between any two actions', () => {
    const s = recordAction(freshPacingState(), p, 'direct', t0, () => 0, grown)
    expect(nextActionTime(s, p, 'direct', t0, grown)).toEqual(new Date(t0.getTime() + 8_000))
    // Another kind waits only the 3–6 s between any two actions.
    expect(nextActionTime(s, p, 'group_post', t0, grown)).toEqual(new Date(t0.getTime() + 3_000))
    const card = recordAction(freshPacingState(), p, 'link', t0, () => 1, grown)
    expect(nextActionTime(card, p, 'link', t0, grown).getTime() - t0.getTime()).toBeGreaterThanOrEqual(
      119_999,
    )
  })

  it('stops a kind at its hourly cap until the next hour, other kinds go on', () => {
    const s = {
      ...freshPacingState(),
      kinds: {
        link: {
          nextAt: null,
          hour: '2026-03-02T10',
          inHour: 20,
          day: '2026-03-02',
          onDay: 20,
          pausedUntil: null,
        },
      },
    }
    expect(nextActionTime(s, p, 'link', at('2026-03-02T10:20:00'), grown)).toEqual(at('2026-03-02T11:00:00'))
    expect(nextActionTime(s, p, 'direct', at('2026-03-02T10:20:00'), grown)).toEqual(
      at('2026-03-02T10:20:00'),
    )
  })

  it('stops a kind at its daily cap until the next morning', () => {
    const s = {
      ...freshPacingState(),
      kinds: {
        direct: { nextAt: null, hour: null, inHour: 0, day: '2026-03-02', onDay: 300, pausedUntil: null },
      },
    }
    expect(nextActionTime(s, p, 'direct', at('2026-03-02T15:00:00'), grown)).toEqual(
      at('2026-03-03T08:30:00'),
    )
  })

  it('ramps a new account up over its first days (warm-up)', () => {
    const fresh: PacingEnv = { firstDay: '2026-03-02' }
    const row = { max: 300, ramp: [0.2, 0.3, 0.4, 0.55, 0.7, 0.85] }
    expect([1, 2, 6, 7, 30].map((d) => dailyAllowance(row, d))).toEqual([60, 90, 255, 300, 300])
    let s = freshPacingState()
    let t = at('2026-03-02T09:00:00')
    let sentDay1 = 0
    while (t < at('2026-03-03T00:00:00')) {
      t = nextActionTime(s, p, 'direct', t, fresh)
      if (t >= at('2026-03-03T00:00:00')) break
      s = recordAction(s, p, 'direct', t, () => 0, fresh)
      sentDay1++
    }
    expect(sentDay1).toBe(60)
    expect(t).toEqual(at('2026-03-03T08:30:00'))
  })

  it('an account that never logged in starts its ramp now: a small cap is slow at first, never stuck', () => {
    const small = accountPolicy({ ...account, dailyCap: 2 })
    const start = at('2026-03-02T09:00:00')
    const env = accountEnv({ firstLoginAt: null }, start)
    // 20–55 % of 2 rounds down to 0 for three days, then one a day, two from day 7.
    expect(estimateFinish(1, small, start, 'direct', freshPacingState(), env)).toEqual(
      at('2026-03-05T08:30:00'),
    )
    expect(estimateFinish(5, small, start, 'direct', freshPacingState(), env) < NEVER).toBe(true)
  })

  it('a cap of 0 means never', () => {
    const none = accountPolicy({ ...account, dailyCap: 0 })
    expect(nextActionTime(freshPacingState(), none, 'direct', t0, grown)).toEqual(NEVER)
    expect(estimateFinish(1, none, t0)).toEqual(NEVER)
  })
})

describe('"too frequent"', () => {
  const p = accountPolicy(account)
  it('pauses only that kind of that account, 12–24 hours', () => {
    const t0 = at('2026-03-02T09:00:00')
    const s = recordLimited(freshPacingState(), p, 'friend_accept', t0, 0, '操作过于频繁')
    expect(nextActionTime(s, p, 'friend_accept', t0, grown)).toEqual(at('2026-03-02T21:00:00'))
    expect(nextActionTime(s, p, 'direct', t0, grown)).toEqual(t0)
    expect(latestPause(s, t0)).toEqual({ until: at('2026-03-02T21:00:00'), reason: '操作过于频繁' })
  })
  it('three times within a day is a limit signal', () => {
    let s = freshPacingState()
    for (const h of ['09', '12', '15']) {
      expect(repeatedlyLimited(s, p, at(`2026-03-02T${h}:00:00`))).toBe(false)
      s = recordLimited(s, p, 'direct', at(`2026-03-02T${h}:00:00`), 0.5, 'too frequent')
    }
    expect(repeatedlyLimited(s, p, at('2026-03-02T15:00:00'))).toBe(true)
    expect(repeatedlyLimited(s, p, at('2026-03-04T15:00:00'))).toBe(false)
  })
  it('ten failed sends in a row pause every kind, 12–24 hours, as one limit signal', () => {
    const t0 = at('2026-03-02T09:00:00')
    let s = freshPacingState()
    for (let i = 1; i < p.failuresBeforeLimited; i++) {
      const r = recordFailedSend(s, p, t0, 0, '连续失败')
      expect(r.limited).toBe(false)
      s = r.state
    }
    expect(s.failedInRow).toBe(9)
    const r = recordFailedSend(s, p, t0, 0, '连续失败')
    expect(r.limited).toBe(true)
    expect(r.state.failedInRow).toBe(0)
    expect(r.state.limits).toEqual([t0.getTime()])
    for (const k of actionKinds) {
      expect(nextActionTime(r.state, p, k, t0, grown).getTime()).toBeGreaterThanOrEqual(
        at('2026-03-02T21:00:00').getTime(),
      )
    }
  })
})

describe('human reply delay', () => {
  it('grows with the reply, jittered and bounded', () => {
    const short = replyDelayMs('好的', policy, 0.5)
    const long = replyDelayMs('您好，您当前积分 1280 分，其中 200 分将于下月到期，记得使用哦。', policy, 0.5)
    expect(short).toBe(3_000) // the minimum
    expect(long).toBeGreaterThan(short)
    expect(replyDelayMs('长'.repeat(2_000), policy, 1)).toBe(45_000)
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (text, r) => {
        const d = replyDelayMs(text, policy, r)
        expect(d).toBeGreaterThanOrEqual(3_000)
        expect(d).toBeLessThanOrEqual(45_000)
      }),
    )
  })
})

describe('policies as data', () => {
  it('reads an account row: its cap and quiet hours, rule overrides replacing the defaults, bad ones ignored', () => {
    const p = accountPolicy({
      dailyCap: 5,
      quietStart: '23:00',
      quietEnd: '07:00',
      pacing: { rules: [{ code: 'gap', args: { kind: 'direct', ms: [30_000, 30_000] } }] },
    })
    const s = recordAction(freshPacingState(), p, 'direct', at('2026-03-02T10:00:00'), () => 0.5, grown)
    expect(nextActionTime(s, p, 'direct', at('2026-03-02T10:00:00'), grown)).toEqual(
      at('2026-03-02T10:00:30'),
    )
    expect(nextActionTime(freshPacingState(), p, 'direct', at('2026-03-02T22:30:00'), grown)).toEqual(
      at('2026-03-02T22:30:00'),
    )
    expect(p.rules.filter((r) => r.code === 'gap' && r.args.kind === 'direct')).toHaveLength(1)
    const bad = accountPolicy({ ...account, pacing: { rules: [{ code: 'gap', args: { kind: 'x' } }] } })
    expect(bad.rules).toEqual(accountPolicy(account).rules)
    expect(() =>
      withOverrides(policy, { rules: [{ code: 'daily_cap', args: { kind: 'link', max: -1 } }] } as never),
    ).toThrow()
  })

  it('never schedules two actions closer than a gap, over a cap, or at night (property)', () => {
    const p = accountPolicy(account)
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...actionKinds), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 0, max: 1440 * 2 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (kinds, minute, seed) => {
          let x = seed
          const random = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
          let s = freshPacingState()
          let t = new Date(Date.parse('2026-03-02T00:00:00+08:00') + minute * 60_000)
          const done: { k: string; t: number }[] = []
          for (const k of kinds) {
            t = nextActionTime(s, p, k, t, grown)
            s = recordAction(s, p, k, t, random, grown)
            done.push({ k, t: t.getTime() })
          }
          for (let i = 1; i < done.length; i++) {
            expect(done[i]!.t - done[i - 1]!.t).toBeGreaterThanOrEqual(3_000)
          }
          for (const d of done) {
            if (d.k !== 'reply') expect(inQuietHours(new Date(d.t), account)).toBe(false)
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('estimates a campaign by the same rules: 600 messages take two days at 300 a day', () => {
    const p = accountPolicy(account)
    const start = at('2026-03-02T09:00:00')
    const done = estimateFinish(600, p, start, 'direct', freshPacingState(), grown)
    expect(done > at('2026-03-03T08:30:00')).toBe(true)
    expect(done < at('2026-03-03T22:00:00')).toBe(true)
    // The hourly cap (120) makes 300 messages take at least 2.5 hours.
    const day = estimateFinish(300, p, start, 'direct', freshPacingState(), grown, 0)
    expect(day.getTime() - start.getTime()).toBeGreaterThanOrEqual(2 * 3600_000)
  })
})
