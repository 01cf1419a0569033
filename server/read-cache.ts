// The server's read caches: what the mini-program reads on every screen — who the session is, the
// catalogue, the member card — kept in memory and dropped the moment the database's change feed says a
// write changed it (drizzle/0007). A cache serves only while its feed is live; without a feed (or while
// it reconnects) every read goes to the database.
//
// A load that began before an invalidation is never stored: its result may predate the write.
import { LRUCache } from 'lru-cache'
import type { ChangeFeed, ReadModelChange } from '../shared/db/change-feed'
import { FlashSaleGate } from '../shared/marketing/flash-sale-gate'

interface Inflight<V> {
  promise: Promise<V>
  stale: boolean
}

/** What a load returns: the value, and how long it may be served (milliseconds; 0 = not at all). */
export interface Loaded<V> {
  value: V
  ttlMs: number
}

export class InvalidatedCache<K extends string | number, V extends object> {
  private readonly entries: LRUCache<K, V>
  private readonly inflight = new Map<K, Inflight<V>>()
  hits = 0
  misses = 0

  constructor(
    private readonly feed: ChangeFeed,
    max: number,
  ) {
    this.entries = new LRUCache<K, V>({ max, ttlAutopurge: false })
  }

  /** The cached value, or the load's (shared by concurrent callers), stored only if nothing invalidated it meanwhile. */
  async get(key: K, load: () => Promise<Loaded<V>>): Promise<V> {
    if (!this.feed.live) return (await load()).value
    const cached = this.entries.get(key)
    if (cached !== undefined) {
      this.hits++
      return cached
    }
    this.misses++
    const running = this.inflight.get(key)
    if (running) return running.promise
    const flight: Inflight<V> = { stale: false, promise: undefined as unknown as Promise<V> }
    flight.promise = load().then(
      ({ value, ttlMs }) => {
        if (this.inflight.get(key) === flight) this.inflight.delete(key)
        if (!flight.stale && ttlMs > 0 && this.feed.live) this.entries.set(key, value, { ttl: ttlMs })
        return value
      },
      (err: unknown) => {
        if (this.inflight.get(key) === flight) this.inflight.delete(key)
        throw err
      },
    )
    this.inflight.set(key, flight)
    return flight.promise
  }

  delete(key: K): void {
    this.entries.delete(key)
    const running = this.inflight.get(key)
    if (running) {
      running.stale = true
      this.inflight.delete(key)
    }
  }

  clear(): void {
    this.entries.clear()
    for (const running of this.inflight.values()) running.stale = true
    this.inflight.clear()
  }

  get size(): number {
    return this.entries.size
  }
}

/** Cached session facts: the member a session token belongs to, until the session ends. */
export interface CachedSession {
  memberId: number
  expiresAt: number
}

/** Cached member facts the catalogue needs: who they are now (after merges) and the levels they hold. */
export interface CachedMember {
  memberId: number
  levelIds: number[]
}

export interface ReadCaches {
  feed: ChangeFeed
  sessions: InvalidatedCache<string, CachedSession>
  members: InvalidatedCache<number, CachedMember>
  catalogue: InvalidatedCache<string, JsonBody>
  cards: InvalidatedCache<number, JsonBody>
  /** Flash sales this process knows to be sold out or ended: checkout refuses them from memory. */
  flashSales: FlashSaleGate
  /** How long catalogue reads may be served (stock and sales counts lag by at most this). */
  catalogueTtlMs: number
  close(): void
}

/** The read caches of one server process, invalidated by `feed`. */
export function createReadCaches(feed: ChangeFeed, options: { catalogueTtlMs: number }): ReadCaches {
  const sessions = new InvalidatedCache<string, CachedSession>(feed, 100_000)
  const members = new InvalidatedCache<number, CachedMember>(feed, 100_000)
  const catalogue = new InvalidatedCache<string, JsonBody>(feed, 5_000)
  const cards = new InvalidatedCache<number, JsonBody>(feed, 20_000)
  const onChange = (change: ReadModelChange) => {
    switch (change.kind) {
      case 'catalogue':
        catalogue.clear()
        return
      case 'card':
        if (change.memberIds === 'all') {
          cards.clear()
          members.clear()
          return
        }
        for (const id of change.memberIds) {
          cards.delete(id)
          members.delete(id)
        }
        return
      case 'reset':
        sessions.clear()
        members.clear()
        catalogue.clear()
        cards.clear()
    }
  }
  const unsubscribe = feed.subscribe(onChange)
  const flashSales = new FlashSaleGate(feed)
  return {
    feed,
    sessions,
    members,
    catalogue,
    cards,
    flashSales,
    catalogueTtlMs: options.catalogueTtlMs,
    close: () => {
      unsubscribe()
      flashSales.close()
    },
  }
}

/** A JSON response body serialised once and served as is from the cache. */
export type JsonBody = Buffer

/**
 * A response read through `cache` when there is one, serialised once per load rather than once per
 * request; `ttlMs` says from the loaded value how long it may be served. Without a cache: the value.
 */
export async function cachedJson<K extends string | number, V>(
  cache: InvalidatedCache<K, JsonBody> | undefined,
  ctx: { type: string },
  key: K,
  load: () => Promise<V>,
  ttlMs: (value: V) => number,
): Promise<V | JsonBody> {
  if (!cache) return load()
  const body = await cache.get(key, async () => {
    const value = await load()
    return { value: Buffer.from(JSON.stringify(value)), ttlMs: ttlMs(value) }
  })
  ctx.type = 'application/json; charset=utf-8' // Koa would call a Buffer binary
  return body
}

/**
 * A catalogue read through the cache when there is one: served for `catalogueTtlMs` at most, and
 * dropped at once when a product, SKU, price or category changes (or a SKU sells out or comes back).
 */
export const cachedCatalogue = <V>(
  deps: { readCaches?: ReadCaches | undefined },
  ctx: { type: string },
  key: string,
  load: () => Promise<V>,
) => cachedJson(deps.readCaches?.catalogue, ctx, key, load, () => deps.readCaches!.catalogueTtlMs)
