// Segment SQL against a plain JavaScript oracle on random members, orders, events, tags and tiers:
// whatever the filter, the database selects exactly the members the oracle does.
import { createRequire } from 'node:module'
import { afterAll, beforeAll, expect, it } from 'vitest'
import fc from 'fast-check'
import { sql } from 'drizzle-orm'
import { queryRows, type Database, type Db } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { refreshMemberStats } from '../members/stats'
import { countSegment, listSegment } from './segments'
import type { SegmentCondition, SegmentFilterInput } from './filter'
import { defaultCriteria, scoreCandidate, type CandidateFacts } from './candidates'

const lunar = createRequire(import.meta.url)('lunar-javascript') as {
  Solar: {
    fromYmd(y: number, m: number, d: number): { getLunar(): { getMonth(): number; getDay(): number } }
  }
}

const NOW = new Date('2026-06-15T04:00:00Z')
const DAY = 86_400_000
const MIN = 60_000
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MIN)

let database: Database
let db: Db
let categoryIds: number[] = []
const productIds: number[] = []
const skuIds: number[] = []
let brandOf: Map<number, number | null>
let tagIds: number[] = []
let levelIds: { V1: number; V2: number }

beforeAll(async () => {
  database = await testDatabase()
  db = database.db
  const q = <T>(s: ReturnType<typeof sql>) => queryRows<T>(db, s)
  categoryIds = (
    await q<{ id: number }>(
      sql`insert into categories (name) values ('护肤'), ('彩妆'), ('母婴') returning id`,
    )
  ).map((r) => Number(r.id))
  const brands = (
    await q<{ id: number }>(sql`insert into brands (name) values ('甲'), ('乙') returning id`)
  ).map((r) => Number(r.id))
  brandOf = new Map()
  for (let i = 0; i < 4; i++) {
    const brand = i === 3 ? null : brands[i % 2]!
    const [p] = await q<{ id: number }>(
      sql`insert into products (category_id, brand_id, title) values (${categoryIds[i % 3]!}, ${brand}, ${`商品${i}`}) returning id`,
    )
    productIds.push(Number(p!.id))
    brandOf.set(Number(p!.id), brand)
    const [s] = await q<{ id: number }>(
      sql`insert into skus (product_id, spec, price_fen) values (${p!.id}, '标准', 1000) returning id`,
    )
    skuIds.push(Number(s!.id))
  }
  const [skin] = await q<{ id: number }>(
    sql`insert into tag_dimensions (code, name, multiple) values ('skin', '肤质', false) returning id`,
  )
  const [interest] = await q<{ id: number }>(
    sql`insert into tag_dimensions (code, name, multiple) values ('interest', '兴趣', true) returning id`,
  )
  tagIds = (
    await q<{ id: number }>(
      sql`insert into tags (dimension_id, name) values (${skin!.id}, '干性'), (${skin!.id}, '油性'), (${interest!.id}, '彩妆'), (${interest!.id}, '母婴') returning id`,
    )
  ).map((r) => Number(r.id))
  const [vip] = await q<{ id: number }>(
    sql`insert into tier_ladders (code, name, kind, basis) values ('vip', '付费会员', 'vertical', 'paid') returning id`,
  )
  const levels = await q<{ id: number; code: string }>(
    sql`insert into tier_levels (ladder_id, code, name, rank) values (${vip!.id}, 'V1', 'V1 会员', 1), (${vip!.id}, 'V2', 'V2 会员', 2) returning id, code`,
  )
  levelIds = { V1: Number(levels[0]!.id), V2: Number(levels[1]!.id) }
  ;(globalThis as { vipLadder?: number }).vipLadder = Number(vip!.id)
})
afterAll(async () => {
  await database.close()
})

// ---- the random world ----

interface WOrder {
  status: 'paid' | 'completed' | 'refunded' | 'cancelled' | 'pending'
  paidMinutesAgo: number | null
  payFen: number
  refundedFen: number
  items: number[] // product indexes
}
interface WEvent {
  type: 'share' | 'feedback' | 'chat_message' | 'product_view'
  minutesAgo: number
  sentiment?: 'complaint' | 'suggestion'
  direction?: 'in' | 'out'
}
interface WMember {
  gender: 'unknown' | 'male' | 'female'
  city: string | null
  stage: 'stranger' | 'intention' | 'customer' | 'repurchaser' | 'super_user'
  createdMinutesAgo: number
  lastSeenMinutesAgo: number | null
  optedOut: boolean
  birthdayOffset: number | null
  lunarBirthday: boolean
  orders: WOrder[]
  events: WEvent[]
  tags: number[] // tag indexes
  tier: { level: 'V1' | 'V2'; startMinutesAgo: number; endsInMinutes: number | null } | null
  refers: number[] // indexes of members this one referred
}

const minutes = (maxDays: number) => fc.integer({ min: 0, max: maxDays * 1440 })
const orderArb: fc.Arbitrary<WOrder> = fc
  .record({
    status: fc.constantFrom('paid', 'completed', 'refunded', 'cancelled', 'pending') as fc.Arbitrary<
      WOrder['status']
    >,
    paidMinutesAgo: minutes(420),
    payFen: fc.integer({ min: 0, max: 400_000 }),
    refundPart: fc.integer({ min: 0, max: 3 }),
    items: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 2 }),
  })
  .map((o) => ({
    status: o.status,
    paidMinutesAgo: o.status === 'pending' || o.status === 'cancelled' ? null : o.paidMinutesAgo,
    payFen: o.payFen,
    refundedFen: o.status === 'refunded' ? o.payFen : o.refundPart === 0 ? Math.floor(o.payFen / 4) : 0,
    items: o.items,
  }))
const eventArb: fc.Arbitrary<WEvent> = fc.record({
  type: fc.constantFrom('share', 'feedback', 'chat_message', 'product_view') as fc.Arbitrary<WEvent['type']>,
  minutesAgo: minutes(60),
  sentiment: fc.constantFrom('complaint', 'suggestion') as fc.Arbitrary<'complaint' | 'suggestion'>,
  direction: fc.constantFrom('in', 'out') as fc.Arbitrary<'in' | 'out'>,
})
const memberArb = (n: number): fc.Arbitrary<WMember> =>
  fc.record({
    gender: fc.constantFrom('unknown', 'male', 'female') as fc.Arbitrary<WMember['gender']>,
    city: fc.constantFrom(null, '上海', '杭州'),
    stage: fc.constantFrom('stranger', 'intention', 'customer', 'repurchaser', 'super_user') as fc.Arbitrary<
      WMember['stage']
    >,
    createdMinutesAgo: minutes(500),
    lastSeenMinutesAgo: fc.option(minutes(400)),
    optedOut: fc.boolean(),
    birthdayOffset: fc.option(fc.integer({ min: -5, max: 20 })),
    lunarBirthday: fc.boolean(),
    orders: fc.array(orderArb, { maxLength: 4 }),
    events: fc.array(eventArb, { maxLength: 6 }),
    tags: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    tier: fc.option(
      fc.record({
        level: fc.constantFrom('V1', 'V2') as fc.Arbitrary<'V1' | 'V2'>,
        startMinutesAgo: fc.integer({ min: -2000, max: 100_000 }),
        endsInMinutes: fc.option(fc.integer({ min: -5000, max: 100_000 })),
      }),
    ),
    refers: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
  })

const worldArb = fc.array(memberArb(10), { minLength: 1, maxLength: 10 })

function shanghaiMd(d: Date) {
  const s = new Date(d.getTime() + 8 * 3600_000)
  return { y: s.getUTCFullYear(), m: s.getUTCMonth() + 1, d: s.getUTCDate() }
}
const pad = (n: number) => String(n).padStart(2, '0')

/** The stored birthday (year 1990) for a member whose birthday falls `offset` days from today. */
function birthdayOf(w: WMember): { date: string; calendar: 'solar' | 'lunar' } | null {
  if (w.birthdayOffset === null) return null
  const day = shanghaiMd(new Date(NOW.getTime() + w.birthdayOffset * DAY))
  if (w.lunarBirthday) {
    const l = lunar.Solar.fromYmd(day.y, day.m, day.d).getLunar()
    const m = Math.abs(l.getMonth())
    const d = l.getDay()
    if (
      !Number.isNaN(Date.parse(`1990-${pad(m)}-${pad(d)}`)) &&
      new Date(`1990-${pad(m)}-${pad(d)}`).getUTCDate() === d
    )
      return { date: `1990-${pad(m)}-${pad(d)}`, calendar: 'lunar' }
  }
  if (day.m === 2 && day.d === 29) return null
  return { date: `1990-${pad(day.m)}-${pad(day.d)}`, calendar: 'solar' }
}

async function load(world: WMember[]): Promise<number[]> {
  await db.execute(sql`truncate member_stats, member_stage_changes, member_events, referrals, member_tags, member_tiers,
    order_items, orders, member_identities, members restart identity cascade`)
  const ids: number[] = []
  for (const w of world) {
    const b = birthdayOf(w)
    const [row] = await queryRows<{ id: number }>(
      db,
      sql`insert into members (gender, city, stage, created_at, last_seen_at, opted_out_at, birthday, birthday_calendar)
          values (${w.gender}, ${w.city}, ${w.stage}, ${ago(w.createdMinutesAgo).toISOString()}::timestamptz,
            ${w.lastSeenMinutesAgo === null ? null : ago(w.lastSeenMinutesAgo).toISOString()}::timestamptz,
            ${w.optedOut ? NOW.toISOString() : null}::timestamptz, ${b?.date ?? null}::date, ${b?.calendar ?? 'solar'})
          returning id`,
    )
    ids.push(Number(row!.id))
  }
  let seq = 0
  for (const [i, w] of world.entries()) {
    const id = ids[i]!
    for (const o of w.orders) {
      const [ord] = await queryRows<{ id: number }>(
        db,
        sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, refunded_fen, paid_at)
            values (${`P${++seq}`}, ${id}, ${o.status}, ${o.payFen}, ${o.payFen}, ${o.refundedFen},
              ${o.paidMinutesAgo === null ? null : ago(o.paidMinutesAgo).toISOString()}::timestamptz) returning id`,
      )
      for (const p of o.items)
        await db.execute(sql`insert into order_items (order_id, product_id, sku_id, category_id, title, quantity, unit_price_fen)
          values (${ord!.id}, ${productIds[p]!}, ${skuIds[p]!}, ${categoryIds[p % 3]!}, 'x', 1, 1000)`)
    }
    for (const e of w.events) {
      const payload =
        e.type === 'feedback'
          ? { sentiment: e.sentiment }
          : e.type === 'chat_message'
            ? { direction: e.direction }
            : {}
      await db.execute(sql`insert into member_events (member_id, type, occurred_at, payload)
        values (${id}, ${e.type}, ${ago(e.minutesAgo).toISOString()}::timestamptz, ${JSON.stringify(payload)}::jsonb)`)
    }
    for (const t of w.tags)
      await db.execute(
        sql`insert into member_tags (member_id, tag_id, tagged_by) values (${id}, ${tagIds[t]!}, 'staff')`,
      )
    if (w.tier)
      await db.execute(sql`insert into member_tiers (member_id, ladder_id, level_id, starts_at, ends_at, source)
        values (${id}, ${(globalThis as { vipLadder?: number }).vipLadder!}, ${levelIds[w.tier.level]},
          ${ago(w.tier.startMinutesAgo).toISOString()}::timestamptz,
          ${w.tier.endsInMinutes === null ? null : new Date(NOW.getTime() + w.tier.endsInMinutes * MIN).toISOString()}::timestamptz, 'test')`)
  }
  const referred = new Set<number>()
  for (const [i, w] of world.entries())
    for (const r of w.refers) {
      if (r === i || r >= world.length || referred.has(r)) continue
      referred.add(r)
      await db.execute(sql`insert into referrals (referrer_id, referee_id, attributed_at)
        values (${ids[i]!}, ${ids[r]!}, ${ago(10).toISOString()}::timestamptz)`)
    }
  await refreshMemberStats(db, { all: true }, NOW)
  return ids
}

// ---- the oracle: plain JavaScript over the world ----

const purchased = (o: WOrder) =>
  o.paidMinutesAgo !== null && o.status !== 'refunded' && o.status !== 'cancelled' && o.status !== 'pending'
const within = (minutesAgo: number | null, days: number) =>
  minutesAgo !== null && minutesAgo * MIN < days * DAY

function referralsOf(world: WMember[], i: number): number {
  const referred = new Set<number>()
  let mine = 0
  for (const [j, w] of world.entries())
    for (const r of w.refers) {
      if (r === j || r >= world.length || referred.has(r)) continue
      referred.add(r)
      if (j === i) mine++
    }
  return mine
}

function factsOf(world: WMember[], i: number): CandidateFacts {
  const w = world[i]!
  const bought = w.orders.filter(purchased)
  const last = bought.length ? Math.min(...bought.map((o) => o.paidMinutesAgo!)) : null
  const cats = new Set(bought.flatMap((o) => o.items.map((p) => p % 3)))
  const brands = new Set(
    bought.flatMap((o) => o.items.map((p) => brandOf.get(productIds[p]!) ?? null)).filter((b) => b !== null),
  )
  const fb = w.events.filter((e) => e.type === 'feedback')
  const tierActive =
    w.tier && w.tier.startMinutesAgo >= 0 && (w.tier.endsInMinutes === null || w.tier.endsInMinutes > 0)
  return {
    paidOrders: bought.length,
    orders90d: bought.filter((o) => within(o.paidMinutesAgo, 90)).length,
    orders180d: bought.filter((o) => within(o.paidMinutesAgo, 180)).length,
    orders365d: bought.filter((o) => within(o.paidMinutesAgo, 365)).length,
    spendFen: bought.reduce((a, o) => a + o.payFen - o.refundedFen, 0),
    firstPaidAt: null,
    lastPaidAt: last === null ? null : ago(last),
    categories: cats.size,
    brands: brands.size,
    shares: w.events.filter((e) => e.type === 'share').length,
    referrals: referralsOf(world, i),
    feedbacks: fb.length,
    complaints: fb.filter((e) => e.sentiment === 'complaint').length,
    lastFeedbackAt: null,
    lastComplaintAt: null,
    interestEvents: w.events.filter((e) => e.type === 'product_view').length,
    inboundChats: w.events.filter((e) => e.type === 'chat_message' && e.direction === 'in').length,
    engagement30d: w.events.filter((e) => within(e.minutesAgo, 30)).length,
    lastSeenAt: w.lastSeenMinutesAgo === null ? null : ago(w.lastSeenMinutesAgo),
    paidTier: tierActive ? `${w.tier!.level} 会员` : null,
  }
}

const inRange = (v: number, r: { min?: number; max?: number }) =>
  (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max)

function rfm(f: CandidateFacts) {
  if (f.paidOrders === 0) return null
  const d = (NOW.getTime() - f.lastPaidAt!.getTime()) / DAY
  const r = d < 30 ? 5 : d < 90 ? 4 : d < 180 ? 3 : d < 365 ? 2 : 1
  const fq =
    f.paidOrders >= 10 ? 5 : f.paidOrders >= 6 ? 4 : f.paidOrders >= 3 ? 3 : f.paidOrders === 2 ? 2 : 1
  const s = f.spendFen
  const m = s >= 500000 ? 5 : s >= 200000 ? 4 : s >= 80000 ? 3 : s >= 30000 ? 2 : 1
  return { r, f: fq, m }
}

function oracle(world: WMember[], i: number, c: SegmentCondition): boolean {
  const w = world[i]!
  const f = factsOf(world, i)
  switch (c.field) {
    case 'stage':
      return c.in.includes(w.stage)
    case 'gender':
      return c.in.includes(w.gender)
    case 'city':
      return w.city !== null && c.in.includes(w.city)
    case 'tags': {
      const mine = new Set(w.tags.map((t) => tagIds[t]!))
      const hits = [...new Set(c.tagIds)].filter((t) => mine.has(t)).length
      return c.match === 'any' ? hits > 0 : c.match === 'none' ? hits === 0 : hits === new Set(c.tagIds).size
    }
    case 'tier': {
      if (!w.tier || f.paidTier === null) return false
      return c.levels === undefined || c.levels.includes(w.tier.level)
    }
    case 'lastOrder': {
      if (f.lastPaidAt === null) return false
      const m = (NOW.getTime() - f.lastPaidAt.getTime()) / MIN
      return (
        (c.withinDays === undefined || within(m, c.withinDays)) &&
        (c.notWithinDays === undefined || !within(m, c.notWithinDays))
      )
    }
    case 'lastSeen': {
      const m = w.lastSeenMinutesAgo ?? w.createdMinutesAgo
      return (
        (c.withinDays === undefined || within(m, c.withinDays)) &&
        (c.notWithinDays === undefined || !within(m, c.notWithinDays))
      )
    }
    case 'orders': {
      const n =
        c.withinDays === undefined
          ? f.paidOrders
          : w.orders.filter((o) => purchased(o) && within(o.paidMinutesAgo, c.withinDays!)).length
      return inRange(n, c.count)
    }
    case 'spend':
      return inRange(f.spendFen, c.fen)
    case 'rfm': {
      const s = rfm(f)
      if (!s) return false
      return (!c.r || inRange(s.r, c.r)) && (!c.f || inRange(s.f, c.f)) && (!c.m || inRange(s.m, c.m))
    }
    case 'birthday': {
      const b = birthdayOf(w)
      if (!b) return false
      const md = b.date.slice(5).replace('-', '')
      for (let k = 0; k <= c.withinDays; k++) {
        const day = shanghaiMd(new Date(NOW.getTime() + k * DAY))
        if (b.calendar === 'solar' && `${pad(day.m)}${pad(day.d)}` === md) return true
        if (b.calendar === 'lunar') {
          const l = lunar.Solar.fromYmd(day.y, day.m, day.d).getLunar()
          if (`${pad(Math.abs(l.getMonth()))}${pad(l.getDay())}` === md) return true
        }
      }
      return false
    }
    case 'complaint':
    case 'feedback':
      return w.events.some(
        (e) =>
          e.type === 'feedback' &&
          (c.field === 'feedback' || e.sentiment === 'complaint') &&
          within(e.minutesAgo, c.withinDays),
      )
    case 'activity':
      return w.events.filter((e) => within(e.minutesAgo, c.withinDays)).length >= c.minEvents
    case 'candidateScore':
      return scoreCandidate(f, defaultCriteria(), NOW).score >= c.min
    case 'optedOut':
      return w.optedOut === c.is
    default:
      throw new Error(`no oracle for ${c.field}`)
  }
}

type Leaf = SegmentCondition
const rangeArb = (lo: number, hi: number) =>
  fc
    .tuple(fc.option(fc.integer({ min: lo, max: hi })), fc.option(fc.integer({ min: lo, max: hi })))
    .filter(([a, b]) => a !== null || b !== null)
    .map(([a, b]) => {
      const [min, max] = a !== null && b !== null && a > b ? [b, a] : [a, b]
      return { ...(min !== null ? { min } : {}), ...(max !== null ? { max } : {}) }
    })
const daysArb = fc.constantFrom(1, 7, 30, 90, 180, 365)
const windowArb = fc
  .tuple(fc.option(daysArb), fc.option(daysArb))
  .filter(([a, b]) => a !== null || b !== null)
  .map(([a, b]) => ({
    ...(a !== null ? { withinDays: a } : {}),
    ...(b !== null ? { notWithinDays: b } : {}),
  }))

const leafArb: fc.Arbitrary<Leaf> = fc.oneof(
  fc.record({
    field: fc.constant('stage' as const),
    in: fc.subarray(['stranger', 'intention', 'customer', 'repurchaser', 'super_user'] as const, {
      minLength: 1,
    }),
  }),
  fc.record({
    field: fc.constant('gender' as const),
    in: fc.subarray(['unknown', 'male', 'female'] as const, { minLength: 1 }),
  }),
  fc.record({
    field: fc.constant('city' as const),
    in: fc.subarray(['上海', '杭州', '北京'], { minLength: 1 }),
  }),
  fc
    .record({
      field: fc.constant('tags' as const),
      tagIdx: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
      match: fc.constantFrom('any', 'all', 'none') as fc.Arbitrary<'any' | 'all' | 'none'>,
    })
    .map((t) => ({ field: t.field, tagIds: t.tagIdx.map((x) => tagIds[x]!), match: t.match })),
  fc
    .record({
      field: fc.constant('tier' as const),
      levels: fc.option(fc.subarray(['V1', 'V2'], { minLength: 1 })),
    })
    .map((t) => ({
      field: t.field,
      ladder: 'vip',
      ...(t.levels ? { levels: t.levels } : {}),
    })),
  windowArb.map((w) => ({ field: 'lastOrder' as const, ...w })),
  windowArb.map((w) => ({ field: 'lastSeen' as const, ...w })),
  fc
    .record({ field: fc.constant('orders' as const), withinDays: fc.option(daysArb), count: rangeArb(0, 4) })
    .map((o) => ({
      field: o.field,
      count: o.count,
      ...(o.withinDays !== null ? { withinDays: o.withinDays } : {}),
    })),
  fc.record({ field: fc.constant('spend' as const), fen: rangeArb(0, 800_000) }),
  fc
    .record({
      field: fc.constant('rfm' as const),
      r: fc.option(rangeArb(1, 5)),
      f: fc.option(rangeArb(1, 5)),
      m: fc.option(rangeArb(1, 5)),
    })
    .map((r) => ({
      field: r.field,
      ...(r.r ? { r: r.r } : {}),
      ...(r.f ? { f: r.f } : {}),
      ...(r.m ? { m: r.m } : {}),
    })),
  fc.record({ field: fc.constant('birthday' as const), withinDays: fc.integer({ min: 0, max: 14 }) }),
  fc.record({ field: fc.constant('complaint' as const), withinDays: daysArb }),
  fc.record({ field: fc.constant('feedback' as const), withinDays: daysArb }),
  fc.record({
    field: fc.constant('activity' as const),
    minEvents: fc.integer({ min: 1, max: 4 }),
    withinDays: daysArb,
  }),
  fc.record({ field: fc.constant('candidateScore' as const), min: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ field: fc.constant('optedOut' as const), is: fc.boolean() }),
) as fc.Arbitrary<Leaf>

const matchArb = fc.constantFrom('all', 'any', 'none') as fc.Arbitrary<'all' | 'any' | 'none'>
const filterArb = fc.record({
  match: matchArb,
  conditions: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: leafArb },
      {
        weight: 1,
        arbitrary: fc.record({
          field: fc.constant('group' as const),
          match: matchArb,
          conditions: fc.array(leafArb, { minLength: 1, maxLength: 3 }),
        }),
      },
    ),
    { maxLength: 3 },
  ),
})

function combineOracle(match: 'all' | 'any' | 'none', results: boolean[]) {
  if (match === 'all') return results.every(Boolean)
  const any = results.some(Boolean)
  return match === 'any' ? any : !any
}

function oracleFilter(
  world: WMember[],
  i: number,
  filter: {
    match: 'all' | 'any' | 'none'
    conditions: (Leaf | { field: 'group'; match: 'all' | 'any' | 'none'; conditions: Leaf[] })[]
  },
) {
  return combineOracle(
    filter.match,
    filter.conditions.map((c) =>
      c.field === 'group'
        ? combineOracle(
            c.match,
            c.conditions.map((l) => oracle(world, i, l)),
          )
        : oracle(world, i, c as Leaf),
    ),
  )
}

it('selects exactly the members the JavaScript oracle selects, whatever the filter', async () => {
  await fc.assert(
    fc.asyncProperty(
      worldArb,
      fc.array(filterArb, { minLength: 12, maxLength: 12 }),
      async (world, filters) => {
        const ids = await load(world)
        for (const filter of filters) {
          const expected = ids.filter((_, i) => oracleFilter(world, i, filter)).sort((a, b) => a - b)
          const page = await listSegment(db, filter as SegmentFilterInput, { at: NOW, limit: 500 })
          expect(page.items.map((m) => m.id)).toEqual(expected)
          expect(await countSegment(db, filter as SegmentFilterInput, NOW)).toBe(expected.length)
        }
      },
    ),
    { numRuns: Number(process.env.SEGMENT_RUNS ?? 20), endOnFailure: true },
  )
})
