import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addDays, birthdayKeysOn, chineseMonthDay, occasionsOfYear, occasionsOn } from './calendar'

// Dates as published in the State Council holiday notices and the Purple Mountain Observatory's
// calendar (中国天文年历) for 2026–2030.
const published: Record<string, Record<number, string>> = {
  spring_festival: {
    2026: '2026-02-17',
    2027: '2027-02-06',
    2028: '2028-01-26',
    2029: '2029-02-13',
    2030: '2030-02-03',
  },
  new_year_eve: {
    2026: '2026-02-16',
    2027: '2027-02-05',
    2028: '2028-01-25',
    2029: '2029-02-12',
    2030: '2030-02-02',
  },
  lantern: {
    2026: '2026-03-03',
    2027: '2027-02-20',
    2028: '2028-02-09',
    2029: '2029-02-27',
    2030: '2030-02-17',
  },
  qingming: {
    2026: '2026-04-05',
    2027: '2027-04-05',
    2028: '2028-04-04',
    2029: '2029-04-04',
    2030: '2030-04-05',
  },
  dragon_boat: {
    2026: '2026-06-19',
    2027: '2027-06-09',
    2028: '2028-05-28',
    2029: '2029-06-16',
    2030: '2030-06-05',
  },
  qixi: {
    2026: '2026-08-19',
    2027: '2027-08-08',
    2028: '2028-08-26',
    2029: '2029-08-16',
    2030: '2030-08-05',
  },
  mid_autumn: {
    2026: '2026-09-25',
    2027: '2027-09-15',
    2028: '2028-10-03',
    2029: '2029-09-22',
    2030: '2030-09-12',
  },
  double_ninth: {
    2026: '2026-10-18',
    2027: '2027-10-08',
    2028: '2028-10-26',
    2029: '2029-10-16',
    2030: '2030-10-05',
  },
  laba: {
    2026: '2026-01-26',
    2027: '2027-01-15',
    2028: '2028-01-04',
    2029: '2029-01-22',
    2030: '2030-01-11',
  },
  mothers_day: {
    2026: '2026-05-10',
    2027: '2027-05-09',
    2028: '2028-05-14',
    2029: '2029-05-13',
    2030: '2030-05-12',
  },
  fathers_day: {
    2026: '2026-06-21',
    2027: '2027-06-20',
    2028: '2028-06-18',
    2029: '2029-06-17',
    2030: '2030-06-16',
  },
  winter_solstice: {
    2026: '2026-12-22',
    2027: '2027-12-22',
    2028: '2028-12-21',
    2029: '2029-12-21',
    2030: '2030-12-22',
  },
}

describe('festival calendar', () => {
  for (const year of [2026, 2027, 2028, 2029, 2030]) {
    it(`matches the published calendar for ${year}`, () => {
      const occasions = occasionsOfYear(year)
      for (const [code, byYear] of Object.entries(published)) {
        const dates = occasions.filter((o) => o.code === code).map((o) => o.date)
        expect({ code, dates }).toEqual({ code, dates: [byYear[year]] })
      }
      const solar = Object.fromEntries(
        occasions
          .filter((o) => ['new_year', 'womens_day', 'childrens_day', 'national_day'].includes(o.code))
          .map((o) => [o.code, o.date]),
      )
      expect(solar).toEqual({
        new_year: `${year}-01-01`,
        womens_day: `${year}-03-08`,
        childrens_day: `${year}-06-01`,
        national_day: `${year}-10-01`,
      })
    })
  }

  it('has all 24 solar terms, each once a year, marked as solar terms', () => {
    for (const year of [2026, 2027, 2030]) {
      const terms = occasionsOfYear(year).filter((o) => o.source === 'solar_term')
      expect(terms).toHaveLength(24)
      expect(new Set(terms.map((t) => t.code)).size).toBe(24)
    }
    expect(occasionsOn('2026-08-07').map((o) => [o.code, o.name, o.source])).toEqual([
      ['liqiu', '立秋', 'solar_term'],
    ])
    expect(occasionsOn('2026-12-22').map((o) => o.code)).toEqual(['winter_solstice'])
  })

  it('Mid-Autumn 2026 is 25 September, and that day has no other festival', () => {
    expect(occasionsOn('2026-09-25').map((o) => [o.code, o.name])).toEqual([['mid_autumn', '中秋节']])
    expect(occasionsOn('2026-09-24')).toEqual([])
  })

  it('lunar festivals that fall in January belong to the previous lunar year (腊八 2030 and 2031)', () => {
    expect(
      occasionsOfYear(2030)
        .filter((o) => o.code === 'laba')
        .map((o) => o.date),
    ).toEqual(['2030-01-11'])
    expect(
      occasionsOfYear(2031)
        .filter((o) => o.code === 'laba')
        .map((o) => o.date),
    ).toEqual(['2031-01-01'])
  })

  it('puts brand dates, solar or lunar, on the calendar', () => {
    const brand = [
      { code: 'anniversary', name: '品牌周年庆', calendar: 'solar' as const, month: 9, day: 25 },
      { code: 'founder_day', name: '创始人日', calendar: 'lunar' as const, month: 8, day: 15 },
    ]
    expect(occasionsOn('2026-09-25', brand).map((o) => `${o.source}:${o.code}`)).toEqual([
      'brand:anniversary',
      'brand:founder_day',
      'festival:mid_autumn',
    ])
    expect(occasionsOn('2027-09-15', brand).map((o) => o.code)).toEqual(['founder_day', 'mid_autumn'])
  })

  it('every festival but 腊八 occurs exactly once in every year from 1950 to 2090', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1950, max: 2090 }), (year) => {
        const counts = new Map<string, number>()
        for (const o of occasionsOfYear(year)) counts.set(o.code, (counts.get(o.code) ?? 0) + 1)
        // 腊八 sits 3–4 weeks before Spring Festival, between 30 December and 29 January: a Gregorian
        // year can hold two of them (one in January, one on 30/31 December) or, the year after, none.
        for (const [code, n] of counts) if (code !== 'laba') expect({ code, n }).toEqual({ code, n: 1 })
        expect(counts.get('laba') ?? 0).toBeLessThanOrEqual(2)
        expect(counts.size).toBeGreaterThanOrEqual(22)
      }),
      { numRuns: 40 },
    )
  })
})

describe('birthdays on a day', () => {
  it('finds solar birthdays by month and day, and 29 February ones on 28 February in common years', () => {
    expect(birthdayKeysOn('2026-09-25').solar).toEqual([925])
    expect(birthdayKeysOn('2027-02-28').solar).toEqual([228, 229])
    expect(birthdayKeysOn('2028-02-28').solar).toEqual([228])
    expect(birthdayKeysOn('2028-02-29').solar).toEqual([229])
  })

  it('finds lunar birthdays by lunar month and day: 八月十五 is 25 September in 2026', () => {
    expect(birthdayKeysOn('2026-09-25').lunar).toEqual([815])
  })

  it('keeps a lunar 30th on the 29th of a short month, and matches nothing in a leap month', () => {
    // Lunar 2025 month 12 has 29 days: its last day is 2026-02-16 (除夕).
    expect(birthdayKeysOn('2026-02-16').lunar).toEqual([1229, 1230])
    // 2025 has a leap sixth month (闰六月): 2025-07-25 is its first day.
    expect(birthdayKeysOn('2025-07-25').lunar).toEqual([])
    expect(birthdayKeysOn('2025-06-25').lunar).toEqual([601])
  })

  it('every lunar month/day key (days 1–29) comes round exactly once a lunar year', () => {
    // Over the 354–355 days of lunar year 2026 each (month, day ≤ 29) key appears once.
    const seen = new Map<number, number>()
    for (let d = '2026-02-17'; d < '2027-02-06'; d = addDays(d, 1)) {
      for (const k of birthdayKeysOn(d).lunar) seen.set(k, (seen.get(k) ?? 0) + 1)
    }
    for (let m = 1; m <= 12; m++) for (let day = 1; day <= 29; day++) expect(seen.get(m * 100 + day)).toBe(1)
    for (let m = 1; m <= 12; m++) expect(seen.get(m * 100 + 30)).toBe(1)
  })

  it('shows dates as members read them', () => {
    expect(chineseMonthDay('2026-09-25')).toBe('9月25日')
  })
})
