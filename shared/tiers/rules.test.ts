import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  addMonths,
  decideTier,
  parseTierRules,
  renewalWithPointsTerms,
  type LevelRef,
  type RuleContext,
} from './rules'

const vip: LevelRef[] = [
  { id: 11, code: 'V1', name: 'V1 会员', rank: 1, threshold: 0, annualFeeFen: 9900 },
  { id: 12, code: 'V2', name: 'V2 会员', rank: 2, threshold: 0, annualFeeFen: 19900 },
  { id: 13, code: 'V3', name: 'V3 会员', rank: 3, threshold: 0, annualFeeFen: 29900 },
]
const spend: LevelRef[] = [
  { id: 21, code: 'normal', name: '普通', rank: 1, threshold: 0, annualFeeFen: 0 },
  { id: 22, code: 'silver', name: '银卡', rank: 2, threshold: 100_000, annualFeeFen: 0 },
  { id: 23, code: 'gold', name: '金卡', rank: 3, threshold: 300_000, annualFeeFen: 0 },
]
const vipRules = parseTierRules(
  [
    {
      code: 'upgrade_by_spend',
      args: { from: 'V1', to: 'V2', minSpendFen: 1_000_000, window: 'rolling_year' },
    },
    {
      code: 'upgrade_by_spend',
      args: { from: 'V2', to: 'V3', minSpendFen: 3_000_000, window: 'rolling_year' },
    },
    { code: 'retain_by_spend', args: { minSpendFen: 300_000, window: 'period' } },
    { code: 'retain_with_points', args: { maxFeeFen: 5000, pointsPerYuan: 100, levels: ['V1'] } },
    { code: 'downgrade_at_period_end', args: { to: 'one_level' } },
  ],
  vip,
)
const spendRules = parseTierRules(
  [
    { code: 'level_by_spend', args: { window: 'rolling_year' } },
    { code: 'downgrade_at_period_end', args: { to: 'spend_level', window: 'rolling_year' } },
  ],
  spend,
)

const at = new Date('2026-06-01T02:00:00Z')
const ctx = (
  levels: LevelRef[],
  holding: { levelId: number; endsAt: string | null } | null,
  spendFen: Partial<Record<'rolling_year' | 'calendar_year' | 'period', number>> = {},
  extra: Partial<RuleContext['facts']> = {},
): RuleContext => ({
  at,
  levels,
  periodMonths: 12,
  holding: holding && {
    levelId: holding.levelId,
    startsAt: new Date('2025-06-01T00:00:00Z'),
    endsAt: holding.endsAt ? new Date(holding.endsAt) : null,
  },
  facts: {
    memberId: 1,
    spendFen: { rolling_year: 0, calendar_year: 0, period: 0, ...spendFen },
    tags: [],
    categories: [],
    ...extra,
  },
})

describe('tier rules', () => {
  it('upgrades a V1 who spent ¥10,000 in the last year to V2 for a fresh year, free', () => {
    const d = decideTier(
      vipRules,
      ctx(vip, { levelId: 11, endsAt: '2026-09-01T00:00:00Z' }, { rolling_year: 1_000_000 }),
    )
    expect(d).toMatchObject({ kind: 'up', fromRank: 1, toRank: 2, ruleCode: 'upgrade_by_spend' })
    expect(d.startsAt).toEqual(at)
    expect(d.endsAt).toEqual(addMonths(at, 12))
  })

  it('climbs two steps at once when both upgrades hold, so the next evaluation has nothing to do', () => {
    const d = decideTier(vipRules, ctx(vip, { levelId: 11, endsAt: null }, { rolling_year: 3_000_000 }))
    expect(d).toMatchObject({ kind: 'up', toRank: 3 })
    const again = decideTier(
      vipRules,
      ctx(vip, { levelId: 13, endsAt: d.endsAt!.toISOString() }, { rolling_year: 3_000_000 }),
    )
    expect(again.kind).toBe('none')
  })

  it('does nothing before the period ends, even with no spend', () => {
    expect(decideTier(vipRules, ctx(vip, { levelId: 12, endsAt: '2026-06-02T00:00:00Z' })).kind).toBe('none')
  })

  it('at the period end: retained by spend in the period, the next period following on from the old one', () => {
    const d = decideTier(
      vipRules,
      ctx(vip, { levelId: 12, endsAt: '2026-05-31T16:00:00Z' }, { period: 300_000 }),
    )
    expect(d).toMatchObject({ kind: 'renew', toRank: 2, ruleCode: 'retain_by_spend' })
    expect(d.startsAt).toEqual(new Date('2026-05-31T16:00:00Z'))
    expect(d.endsAt).toEqual(new Date('2027-05-31T16:00:00Z'))
  })

  it('at the period end without retention: one level down, and the lowest paid level lapses', () => {
    expect(
      decideTier(vipRules, ctx(vip, { levelId: 13, endsAt: '2026-05-01T00:00:00Z' }, { period: 299_999 })),
    ).toMatchObject({ kind: 'down', toRank: 2 })
    expect(decideTier(vipRules, ctx(vip, { levelId: 11, endsAt: '2026-05-01T00:00:00Z' }))).toMatchObject({
      kind: 'lapse',
      toRank: 0,
    })
  })

  it('spend levels: join at the level the spend reaches, and fall only to what the spend supports', () => {
    expect(decideTier(spendRules, ctx(spend, null, { rolling_year: 150_000 }))).toMatchObject({
      kind: 'join',
      toRank: 2,
    })
    expect(decideTier(spendRules, ctx(spend, null, { rolling_year: 0 })).kind).toBe('none')
    expect(
      decideTier(
        spendRules,
        ctx(spend, { levelId: 23, endsAt: '2026-05-01T00:00:00Z' }, { rolling_year: 120_000 }),
      ),
    ).toMatchObject({ kind: 'down', toRank: 2 })
    expect(
      decideTier(
        spendRules,
        ctx(spend, { levelId: 23, endsAt: '2026-05-01T00:00:00Z' }, { rolling_year: 400_000 }),
      ),
    ).toMatchObject({ kind: 'renew', toRank: 3, ruleCode: 'level_by_spend' })
  })

  it('a card is held while its eligibility holds', () => {
    const levels: LevelRef[] = [
      { id: 31, code: 'mom', name: '孕妈卡', rank: 1, threshold: 0, annualFeeFen: 0 },
    ]
    const rules = parseTierRules(
      [{ code: 'card_eligibility', args: { anyTags: ['母婴'], anyCategories: ['母婴'] } }],
      levels,
    )
    expect(decideTier(rules, ctx(levels, null, {}, { tags: ['母婴'] }))).toMatchObject({
      kind: 'join',
      toRank: 1,
    })
    expect(decideTier(rules, ctx(levels, null, {}, { categories: ['母婴'] })).reason).toContain('母婴')
    expect(decideTier(rules, ctx(levels, { levelId: 31, endsAt: '2026-01-01T00:00:00Z' })).kind).toBe('lapse')
  })

  it('offers points for part of the fee only where the rule says', () => {
    expect(renewalWithPointsTerms(vipRules, 'V1')).toEqual({ maxFeeFen: 5000, pointsPerYuan: 100 })
    expect(renewalWithPointsTerms(vipRules, 'V2')).toBeNull()
  })

  it('refuses a rule set naming a level the ladder lacks, or wrong arguments, naming each', () => {
    try {
      parseTierRules(
        [
          {
            code: 'upgrade_by_spend',
            args: { from: 'V1', to: 'V9', minSpendFen: 1, window: 'rolling_year' },
          },
          { code: 'retain_by_spend', args: { minSpendFen: -5, window: 'period' } },
        ],
        vip,
      )
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_tier_rules', status: 400 })
      const paths = (err as { fields: { path: string }[] }).fields.map((f) => f.path)
      expect(paths).toEqual(['rules.0.args', 'rules.1.args.minSpendFen'])
    }
  })

  it('is stable: applying any decision and deciding again at the same moment decides nothing', () => {
    const holding = fc.option(
      fc.record({
        levelId: fc.constantFrom(11, 12, 13),
        endsAt: fc.option(
          fc
            .integer({ min: -400, max: 400 })
            .map((d) => new Date(at.getTime() + d * 86_400_000).toISOString()),
        ),
      }),
    )
    const money = fc.integer({ min: 0, max: 4_000_000 })
    fc.assert(
      fc.property(holding, money, money, money, (h, rolling, calendar, period) => {
        const spendFen = { rolling_year: rolling, calendar_year: calendar, period }
        const d = decideTier(vipRules, ctx(vip, h, spendFen))
        if (d.kind === 'none') return
        const after =
          d.kind === 'lapse'
            ? null
            : { levelId: vip.find((l) => l.rank === d.toRank)!.id, endsAt: d.endsAt!.toISOString() }
        // After the move, a new period has begun: nothing spent in it yet.
        expect(decideTier(vipRules, ctx(vip, after, { ...spendFen, period: 0 })).kind).toBe('none')
      }),
      { numRuns: 500 },
    )
  })
})
