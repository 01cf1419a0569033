// The read caches behind the mini-program's hot screens: served from memory only while the database's
// change feed is live, and dropped the moment a write (from any process) changes what they show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import {
  openChangeFeed,
  parseChange,
  type ChangeFeed,
  type ReadModelChange,
} from '../../shared/db/change-feed'
import { skus } from '../../shared/db/schema/catalog'
import { memberTiers } from '../../shared/db/schema/loyalty'
import { grantPoints } from '../../shared/points/ledger'
import { members } from '../../shared/db/schema/members'
import { createReadCaches, InvalidatedCache, type ReadCaches } from '../../server/read-cache'
import { cardTtlMs } from '../../server/routes/mp/card'
import { testDatabase } from '../support/db'
import { startTestApp, type TestApp } from '../support/app'
import { makeLevels, makeProduct, makeShopper } from '../support/store'

let database: Database
let feed: ChangeFeed
let caches: ReadCaches
let app: TestApp

beforeAll(async () => {
  database = await testDatabase()
  feed = await openChangeFeed(database)
  caches = createReadCaches(feed, { catalogueTtlMs: 60_000 })
  app = await startTestApp(database, { readCaches: caches })
})
afterAll(async () => {
  await app.close()
  caches.close()
  await feed.close()
  await database.close()
})

/** Resolves with the first change the feed reports that matches (subscribe before writing). */
function nextChange(match: (c: ReadModelChange) => boolean): Promise<ReadModelChange> {
  return new Promise((resolve) => {
    const stop = feed.subscribe((c) => {
      if (!match(c)) return
      stop()
      resolve(c)
    })
  })
}
const cardOf = (memberId: number) => (c: ReadModelChange) =>
  c.kind === 'card' && (c.memberIds === 'all' || c.memberIds.includes(memberId))

describe('change feed', () => {
  it('parses what the triggers send', () => {
    expect(parseChange('catalogue')).toEqual({ kind: 'catalogue' })
    expect(parseChange('card:*')).toEqual({ kind: 'card', memberIds: 'all' })
    expect(parseChange('card:3,15')).toEqual({ kind: 'card', memberIds: [3, 15] })
    expect(parseChange('card:')).toEqual({ kind: 'reset' })
  })

  it('announces one statement over many members as everybody, and a few by id', async () => {
    const many = nextChange((c) => c.kind === 'card' && c.memberIds === 'all')
    const ids = await database.db.execute(
      sql`insert into members (name, source) select '批量' || g, 'import' from generate_series(1, 450) g returning id`,
    )
    const memberIds = (ids as unknown as { rows: { id: number }[] }).rows.map((r) => Number(r.id))
    await database.db.execute(
      sql`insert into points_accounts (member_id, balance)
          select id, 10 from members where id = any(${`{${memberIds.join(',')}}`}::bigint[])`,
    )
    expect(await many).toEqual({ kind: 'card', memberIds: 'all' })

    const few = nextChange((c) => c.kind === 'card' && c.memberIds !== 'all')
    await database.db.execute(
      sql`update points_accounts set balance = 20 where member_id in (${memberIds[0]!}, ${memberIds[1]!})`,
    )
    const change = await few
    expect(change.kind === 'card' && [...(change.memberIds as number[])].sort((a, b) => a - b)).toEqual(
      memberIds.slice(0, 2).sort((a, b) => a - b),
    )
  })
})

describe('catalogue', () => {
  it('serves a product from memory until its price changes, then the new price at once', async () => {
    const { productId, skuId } = await makeProduct(database.db, { priceFen: 8900, stock: 5 })
    const shopper = await makeShopper(database.db)
    const get = () => app.request('GET', `/api/mp/products/${productId}`, { token: shopper.token })
    expect((await get()).body.skus[0].priceFen).toBe(8900)
    const hits = caches.catalogue.hits
    expect((await get()).body.skus[0].priceFen).toBe(8900)
    expect(caches.catalogue.hits).toBe(hits + 1)

    // Stock that does not sell out is not announced: the cached detail may show it late…
    await database.db.update(skus).set({ stock: 4 }).where(eq(skus.id, skuId))
    expect((await get()).body.skus[0].stock).toBe(5)
    // …a price change is, from whichever process writes it.
    const changed = nextChange((c) => c.kind === 'catalogue')
    await database.db.update(skus).set({ priceFen: 9900 }).where(eq(skus.id, skuId))
    await changed
    const fresh = (await get()).body.skus[0]
    expect(fresh).toMatchObject({ priceFen: 9900, stock: 4 })
  })

  it('a sell-out is announced, so a sold-out product never shows as in stock', async () => {
    const { productId, skuId, categoryId } = await makeProduct(database.db, { stock: 2 })
    const shopper = await makeShopper(database.db)
    const list = () =>
      app.request('GET', `/api/mp/products?categoryId=${categoryId}`, { token: shopper.token })
    expect((await list()).body.items[0]).toMatchObject({ id: productId, inStock: true })
    const soldOut = nextChange((c) => c.kind === 'catalogue')
    await database.db.update(skus).set({ stock: 0 }).where(eq(skus.id, skuId))
    await soldOut
    expect((await list()).body.items[0]).toMatchObject({ id: productId, inStock: false })
  })

  it('a member who gains a level sees the member price as soon as the level is written', async () => {
    const { v1, ladderId } = await makeLevels(database.db)
    const { productId } = await makeProduct(database.db, {
      priceFen: 8900,
      memberPrices: [{ levelId: v1.id, priceFen: 7900 }],
    })
    const shopper = await makeShopper(database.db)
    const get = () => app.request('GET', `/api/mp/products/${productId}`, { token: shopper.token })
    expect((await get()).body.skus[0].memberPriceFen).toBeNull()
    const upgraded = nextChange(cardOf(shopper.member.id))
    await database.db.insert(memberTiers).values({
      memberId: shopper.member.id,
      ladderId,
      levelId: v1.id,
      startsAt: new Date(Date.now() - 1000),
      source: 'test',
    })
    await upgraded
    expect((await get()).body.skus[0].memberPriceFen).toBe(7900)
  })
})

describe('member card', () => {
  it('is served from memory until the member’s points change, then shows the new balance', async () => {
    const shopper = await makeShopper(database.db)
    const card = () => app.request('GET', '/api/mp/card', { token: shopper.token })
    expect((await card()).body.points.balance).toBe(0)
    const first = (await card()).body
    const hits = caches.cards.hits
    expect((await card()).body.tillCode).toEqual(first.tillCode)
    expect(caches.cards.hits).toBe(hits + 1)

    const earned = nextChange(cardOf(shopper.member.id))
    await grantPoints(database.db, {
      memberId: shopper.member.id,
      amount: 120,
      sourceKey: `test:${shopper.member.id}`,
      reason: '测试',
      at: new Date(),
      expiresAt: null,
    })
    await earned
    expect((await card()).body.points.balance).toBe(120)
  })

  it('follows a merge: the session acts as the surviving member once the merge is written', async () => {
    const shopper = await makeShopper(database.db)
    const survivor = await makeShopper(database.db)
    const me = () => app.request('GET', '/api/mp/card', { token: shopper.token })
    expect((await me()).body.member.memberNo).toBe(shopper.member.memberNo)
    const merged = nextChange(cardOf(shopper.member.id))
    await database.db
      .update(members)
      .set({ mergedIntoId: survivor.member.id })
      .where(eq(members.id, shopper.member.id))
    await merged
    expect((await me()).body.member.memberNo).toBe(survivor.member.memberNo)
  })

  it('is never kept past a level’s end or the moment points lapse', () => {
    const at = new Date('2026-11-22T00:00:00Z')
    const card = (levelEnds: string | null, lapse: string | null) => ({
      levels: [{ endsAt: levelEnds }],
      points: { expiringSoonestAt: lapse },
    })
    expect(cardTtlMs(card(null, null), at)).toBe(60_000)
    expect(cardTtlMs(card('2026-11-22T00:00:10Z', null), at)).toBe(10_000)
    expect(cardTtlMs(card(null, '2026-11-22T00:00:02Z'), at)).toBe(2_000)
    expect(cardTtlMs(card('2026-11-21T00:00:00Z', null), at)).toBe(0)
  })
})

describe('InvalidatedCache', () => {
  const liveFeed = (live: boolean): ChangeFeed => ({ live, subscribe: () => () => {}, close: async () => {} })

  it('never stores a load that was running when its key was invalidated', async () => {
    const cache = new InvalidatedCache<string, { v: number }>(liveFeed(true), 10)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const slow = cache.get('k', async () => {
      await gate
      return { value: { v: 1 }, ttlMs: 60_000 }
    })
    cache.delete('k') // a write committed while the old value was being read
    release()
    expect(await slow).toEqual({ v: 1 })
    expect(await cache.get('k', async () => ({ value: { v: 2 }, ttlMs: 60_000 }))).toEqual({ v: 2 })
    expect(cache.size).toBe(1)
  })

  it('shares one load between concurrent readers', async () => {
    const cache = new InvalidatedCache<string, { v: number }>(liveFeed(true), 10)
    let loads = 0
    const load = async () => ({ value: { v: ++loads }, ttlMs: 60_000 })
    const all = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])
    expect(all).toEqual([{ v: 1 }, { v: 1 }, { v: 1 }])
    expect(loads).toBe(1)
  })

  it('serves nothing from memory while its feed is not live', async () => {
    const cache = new InvalidatedCache<string, { v: number }>(liveFeed(false), 10)
    let loads = 0
    const load = async () => ({ value: { v: ++loads }, ttlMs: 60_000 })
    await cache.get('k', load)
    expect(await cache.get('k', load)).toEqual({ v: 2 })
    expect(cache.size).toBe(0)
  })
})
