// The greeting calendar: Chinese lunar festivals, solar festivals and the brand's own dates, for any
// year, plus which member birthdays (solar or lunar) fall on a given day. Lunar dates come from
// lunar-javascript (a maintained implementation of the Chinese calendar, 1900–2100). Every date here
// is a calendar date in Asia/Shanghai, written YYYY-MM-DD.
import { createRequire } from 'node:module'

interface LunarDate {
  /** Negative for a leap (intercalary) month. */
  getMonth(): number
  getDay(): number
  getJieQi(): string
  getSolar(): SolarDate
}
interface SolarDate {
  toYmd(): string
  getLunar(): LunarDate
  getWeek(): number
  next(days: number): SolarDate
}
interface LunarLibrary {
  Solar: { fromYmd(y: number, m: number, d: number): SolarDate }
  Lunar: { fromYmd(y: number, m: number, d: number): LunarDate }
  LunarMonth: { fromYm(y: number, m: number): { getDayCount(): number } }
}

const { Solar, Lunar, LunarMonth } = createRequire(import.meta.url)('lunar-javascript') as LunarLibrary

export type CalendarKind = 'solar' | 'lunar'

/** A festival rule: how to find its date in a (Gregorian) year. */
export type FestivalRule =
  | { calendar: 'solar'; month: number; day: number }
  | { calendar: 'lunar'; month: number; day: number }
  /** The last day of the lunar year (除夕: 29 or 30 of the twelfth month). */
  | { calendar: 'lunar_year_end' }
  /** The n-th given weekday (0 = Sunday) of a solar month, e.g. Mother's Day. */
  | { calendar: 'weekday'; month: number; nth: number; weekday: number }
  /** A solar term (节气), e.g. 清明, 冬至, looked for in the solar month where it always falls. */
  | { calendar: 'solar_term'; term: string; month: number }

export interface Festival {
  code: string
  name: string
  rule: FestivalRule
}

export const festivals: readonly Festival[] = [
  { code: 'new_year', name: '元旦', rule: { calendar: 'solar', month: 1, day: 1 } },
  { code: 'laba', name: '腊八节', rule: { calendar: 'lunar', month: 12, day: 8 } },
  { code: 'little_new_year', name: '小年', rule: { calendar: 'lunar', month: 12, day: 23 } },
  { code: 'new_year_eve', name: '除夕', rule: { calendar: 'lunar_year_end' } },
  { code: 'spring_festival', name: '春节', rule: { calendar: 'lunar', month: 1, day: 1 } },
  { code: 'valentines_day', name: '情人节', rule: { calendar: 'solar', month: 2, day: 14 } },
  { code: 'lantern', name: '元宵节', rule: { calendar: 'lunar', month: 1, day: 15 } },
  { code: 'dragon_head', name: '龙抬头', rule: { calendar: 'lunar', month: 2, day: 2 } },
  { code: 'womens_day', name: '妇女节', rule: { calendar: 'solar', month: 3, day: 8 } },
  { code: 'qingming', name: '清明节', rule: { calendar: 'solar_term', term: '清明', month: 4 } },
  { code: 'labour_day', name: '劳动节', rule: { calendar: 'solar', month: 5, day: 1 } },
  { code: 'mothers_day', name: '母亲节', rule: { calendar: 'weekday', month: 5, nth: 2, weekday: 0 } },
  { code: 'love_520', name: '520', rule: { calendar: 'solar', month: 5, day: 20 } },
  { code: 'childrens_day', name: '儿童节', rule: { calendar: 'solar', month: 6, day: 1 } },
  { code: 'dragon_boat', name: '端午节', rule: { calendar: 'lunar', month: 5, day: 5 } },
  { code: 'fathers_day', name: '父亲节', rule: { calendar: 'weekday', month: 6, nth: 3, weekday: 0 } },
  { code: 'qixi', name: '七夕节', rule: { calendar: 'lunar', month: 7, day: 7 } },
  { code: 'teachers_day', name: '教师节', rule: { calendar: 'solar', month: 9, day: 10 } },
  { code: 'mid_autumn', name: '中秋节', rule: { calendar: 'lunar', month: 8, day: 15 } },
  { code: 'national_day', name: '国庆节', rule: { calendar: 'solar', month: 10, day: 1 } },
  { code: 'double_ninth', name: '重阳节', rule: { calendar: 'lunar', month: 9, day: 9 } },
  { code: 'winter_solstice', name: '冬至', rule: { calendar: 'solar_term', term: '冬至', month: 12 } },
  { code: 'christmas', name: '圣诞节', rule: { calendar: 'solar', month: 12, day: 25 } },
  // The other solar terms (节气): greetings and seasonal care (立秋贴秋膘, 大寒进补) follow them too.
  ...(
    [
      ['xiaohan', '小寒', 1],
      ['dahan', '大寒', 1],
      ['lichun', '立春', 2],
      ['yushui', '雨水', 2],
      ['jingzhe', '惊蛰', 3],
      ['chunfen', '春分', 3],
      ['guyu', '谷雨', 4],
      ['lixia', '立夏', 5],
      ['xiaoman', '小满', 5],
      ['mangzhong', '芒种', 6],
      ['xiazhi', '夏至', 6],
      ['xiaoshu', '小暑', 7],
      ['dashu', '大暑', 7],
      ['liqiu', '立秋', 8],
      ['chushu', '处暑', 8],
      ['bailu', '白露', 9],
      ['qiufen', '秋分', 9],
      ['hanlu', '寒露', 10],
      ['shuangjiang', '霜降', 10],
      ['lidong', '立冬', 11],
      ['xiaoxue', '小雪', 11],
      ['daxue', '大雪', 12],
    ] as const
  ).map(([code, name, month]) => ({
    code,
    name,
    rule: { calendar: 'solar_term', term: name, month } as FestivalRule,
  })),
]

/** A date of the brand's own (anniversary, member day), recurring every year on a solar or lunar date. */
export interface BrandDate {
  code: string
  name: string
  calendar: CalendarKind
  month: number
  day: number
}

export interface Occasion {
  code: string
  name: string
  date: string
  /** A festival, a solar term (节气) or one of the brand's own dates. */
  source: 'festival' | 'solar_term' | 'brand'
}

const pad = (n: number) => String(n).padStart(2, '0')
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`

function parseYmd(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

export const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** The day before or after a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseYmd(date)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/**
 * The solar date(s) in Gregorian `year` of a lunar month/day. A lunar date of the previous lunar year
 * can fall in January (腊八 2026 is 26 January), and in rare years a lunar date occurs twice in one
 * Gregorian year, so both lunar years are asked. A day 30 that a month does not have this year moves to
 * the month's last day; leap months never count.
 */
function lunarDatesIn(year: number, month: number, day: number): string[] {
  const found: string[] = []
  for (const lunarYear of [year - 1, year]) {
    const date = lunarToSolar(lunarYear, month, day)
    if (date.startsWith(`${year}-`)) found.push(date)
  }
  return found
}

function lunarToSolar(lunarYear: number, month: number, day: number): string {
  const days = LunarMonth.fromYm(lunarYear, month).getDayCount()
  return Lunar.fromYmd(lunarYear, month, Math.min(day, days)).getSolar().toYmd()
}

function datesOf(rule: FestivalRule, year: number): string[] {
  switch (rule.calendar) {
    case 'solar':
      return [ymd(year, rule.month, rule.day)]
    case 'lunar':
      return lunarDatesIn(year, rule.month, rule.day)
    case 'lunar_year_end':
      // The eve of Spring Festival of lunar years `year` and `year + 1`.
      return [year, year + 1]
        .map((ly) => addDays(Lunar.fromYmd(ly, 1, 1).getSolar().toYmd(), -1))
        .filter((d) => d.startsWith(`${year}-`))
    case 'weekday': {
      const first = new Date(Date.UTC(year, rule.month - 1, 1)).getUTCDay()
      const day = 1 + ((rule.weekday - first + 7) % 7) + (rule.nth - 1) * 7
      return [ymd(year, rule.month, day)]
    }
    case 'solar_term': {
      const found: string[] = []
      const month = `${year}-${pad(rule.month)}-`
      let s = Solar.fromYmd(year, rule.month, 1)
      while (s.toYmd().startsWith(month)) {
        if (s.getLunar().getJieQi() === rule.term) found.push(s.toYmd())
        s = s.next(1)
      }
      return found
    }
  }
}

/** Festival dates by code and year: they never change, and a solar term takes a scan of a month. */
const festivalDateCache = new Map<string, string[]>()
function cachedDatesOf(f: Festival, year: number): string[] {
  const key = `${f.code}:${year}`
  let dates = festivalDateCache.get(key)
  if (!dates) {
    dates = datesOf(f.rule, year)
    festivalDateCache.set(key, dates)
  }
  return dates
}

export function brandDateRule(b: Pick<BrandDate, 'calendar' | 'month' | 'day'>): FestivalRule {
  return b.calendar === 'lunar'
    ? { calendar: 'lunar', month: b.month, day: b.day }
    : { calendar: 'solar', month: b.month, day: b.day }
}

/** Every festival and brand date of a Gregorian year, in date order. */
export function occasionsOfYear(year: number, brandDates: readonly BrandDate[] = []): Occasion[] {
  const list: Occasion[] = []
  for (const f of festivals) {
    for (const date of cachedDatesOf(f, year))
      list.push({
        code: f.code,
        name: f.name,
        date,
        source: f.rule.calendar === 'solar_term' ? 'solar_term' : 'festival',
      })
  }
  for (const b of brandDates) {
    for (const date of datesOf(brandDateRule(b), year))
      list.push({ code: b.code, name: b.name, date, source: 'brand' })
  }
  return list.sort((a, b) => a.date.localeCompare(b.date) || a.code.localeCompare(b.code))
}

/** The occasions that fall on a date. */
export function occasionsOn(date: string, brandDates: readonly BrandDate[] = []): Occasion[] {
  const [year] = parseYmd(date)
  return occasionsOfYear(year, brandDates).filter((o) => o.date === date)
}

/** The festival with this code, if it is one. */
export const festivalByCode = (code: string) => festivals.find((f) => f.code === code)

/**
 * Whose birthday is on `date`: the month*100+day keys to look for among solar birthdays and among lunar
 * ones. 29 February birthdays are kept on 28 February in common years; a lunar day 30 is kept on the
 * month's last day when the month has only 29 days; nothing is matched in a leap lunar month.
 */
export function birthdayKeysOn(date: string): { solar: number[]; lunar: number[] } {
  const [y, m, d] = parseYmd(date)
  const solar = [m * 100 + d]
  if (m === 2 && d === 28 && !isLeapYear(y)) solar.push(229)
  const lunarDate = Solar.fromYmd(y, m, d).getLunar()
  const lunar: number[] = []
  const lm = lunarDate.getMonth()
  if (lm > 0) {
    const ld = lunarDate.getDay()
    lunar.push(lm * 100 + ld)
    if (ld === 29) {
      const tomorrow = Solar.fromYmd(y, m, d).next(1).getLunar()
      if (tomorrow.getDay() === 1) lunar.push(lm * 100 + 30)
    }
  }
  return { solar, lunar }
}

/** A date shown the way members read it: 9月25日. */
export function chineseMonthDay(date: string): string {
  const [, m, d] = parseYmd(date)
  return `${m}月${d}日`
}
