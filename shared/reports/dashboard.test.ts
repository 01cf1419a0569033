// Report figures on a scripted brand whose answers were worked out by hand (see scripted-brand.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { lifecycleStages } from '../db/schema/members'
import { testDatabase } from '../../test/support/db'
import { scriptedNow, scriptedPeriod, seedScriptedBrand } from '../../test/support/scripted-brand'
import { funnelStages } from './contracts'
import { funnelReport, growthReport, periodReport, tierDistribution } from './dashboard'
import { reportPeriod, shanghaiDayStart } from './period'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
  await seedScriptedBrand(database.db)
})
afterAll(() => database.close())

describe('report periods', () => {
  it('are Shanghai calendar days, both ends inclusive', () => {
    const p = reportPeriod(scriptedNow, scriptedPeriod)
    expect(p.start.toISOString()).toBe('2026-02-28T16:00:00.000Z')
    expect(p.end.toISOString()).toBe('2026-03-15T16:00:00.000Z')
  })

  it('default to the last 30 days up to today in Shanghai', () => {
    // 23:30 on 19 March UTC is already 20 March in Shanghai.
    const p = reportPeriod(new Date('2026-03-19T23:30:00Z'), {})
    expect([p.from, p.to]).toEqual(['2026-02-19', '2026-03-20'])
    expect(p.start).toEqual(shanghaiDayStart('2026-02-19'))
  })

  it('name the stages in the order of the members schema', () => {
    expect(funnelStages).toEqual(lifecycleStages)
  })
})

describe('dashboard reports', () => {
  it('funnel: members per stage and members at or beyond each stage, merged members left out', async () => {
    const report = await funnelReport(database.db)
    expect(report.totalMembers).toBe(7)
    expect(report.stages.map((s) => [s.stage, s.members, s.reached])).toEqual([
      ['stranger', 2, 7],
      ['intention', 1, 5],
      ['customer', 2, 4],
      ['repurchaser', 1, 2],
      ['super_user', 1, 1],
    ])
    expect(report.stages.map((s) => s.fromPrevious)).toEqual([null, 5 / 7, 4 / 5, 2 / 4, 1 / 2])
  })

  it('tiers: only current levels count (ended and not-yet-started do not), members without a level', async () => {
    const report = await tierDistribution(database.db, scriptedNow)
    const byLadder = Object.fromEntries(
      report.ladders.map((l) => [l.code, [l.levels.map((v) => [v.code, v.members]), l.withoutLevel]]),
    )
    expect(byLadder).toEqual({
      vip: [
        [
          ['V1', 0],
          ['V2', 1],
          ['V3', 0],
        ],
        6,
      ],
      spend: [
        [
          ['normal', 1],
          ['silver', 1],
          ['gold', 1],
          ['black', 0],
        ],
        4,
      ],
      maternity: [[['mom', 0]], 7],
    })
  })

  it('period: reach, referral and the sales decomposition for 1–15 March', async () => {
    const report = await periodReport(database.db, reportPeriod(scriptedNow, scriptedPeriod))
    expect(report.from).toBe('2026-03-01')
    expect(report.to).toBe('2026-03-15')
    // B by an advisor's message, D by a campaign; 7 members on record at the end of 15 March.
    expect(report.reach).toEqual({ reached: 2, members: 7, rate: 2 / 7 })
    // C, D and E joined in the period; C and E were brought by A.
    expect(report.referral).toEqual({ newMembers: 3, referredNewMembers: 2, referrers: 1, rate: 2 / 3 })
    expect(report.sales).toEqual({
      // A 10000 + (20000 - 5000), B 30000, C 15000, H 8000
      salesFen: 78_000,
      // A, B, C, D by their events, H by a purchase
      traffic: 5,
      buyers: 4,
      orders: 5,
      repeatBuyers: 1,
      averageOrderFen: 15_600,
      conversionRate: 4 / 5,
      repurchaseRate: 1 / 4,
      ordersPerBuyer: 5 / 4,
    })
    const s = report.sales
    expect(s.traffic * s.conversionRate! * s.ordersPerBuyer! * s.averageOrderFen!).toBeCloseTo(s.salesFen, 6)
  })

  it('period: an empty period gives zeros and no rates rather than a division by zero', async () => {
    const report = await periodReport(
      database.db,
      reportPeriod(scriptedNow, { from: '2024-01-01', to: '2024-01-31' }),
    )
    expect(report.sales).toMatchObject({
      salesFen: 0,
      traffic: 0,
      conversionRate: null,
      averageOrderFen: null,
    })
    expect(report.referral.rate).toBeNull()
    expect(report.reach).toEqual({ reached: 0, members: 0, rate: null })
  })

  it('growth: new members, orders and revenue per Shanghai month, empty months included', async () => {
    const report = await growthReport(database.db, scriptedNow, 4)
    expect(report.months).toEqual([
      { month: '2025-12', newMembers: 1, orders: 0, revenueFen: 0 },
      // A's order at 00:30 on 1 January in Shanghai (31 December in UTC)
      { month: '2026-01', newMembers: 1, orders: 1, revenueFen: 12_000 },
      // F joined at 23:30 on 28 February; B's order one second before March
      { month: '2026-02', newMembers: 1, orders: 1, revenueFen: 9_900 },
      { month: '2026-03', newMembers: 3, orders: 6, revenueFen: 83_000 },
    ])
  })

  it('growth: 18 months by default ending with the current month', async () => {
    const report = await growthReport(database.db, scriptedNow, 18)
    expect(report.months).toHaveLength(18)
    expect(report.months[0]!.month).toBe('2024-10')
    expect(report.months.at(-1)!.month).toBe('2026-03')
    expect(report.months.find((m) => m.month === '2025-06')!.newMembers).toBe(1)
  })
})
