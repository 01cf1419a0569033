// The database's change feed: writes that change what a member's card or the shop's catalogue shows
// announce it on the `read_model_changes` channel (triggers in drizzle/0007), delivered at commit to
// every process listening — so each server's read caches drop what a write made stale, whichever
// process (server, bot, worker) wrote it.
import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'
import type { Database } from './client'

export const READ_MODEL_CHANNEL = 'read_model_changes'

export type ReadModelChange =
  | { kind: 'card'; memberIds: number[] | 'all' }
  | { kind: 'catalogue' }
  /** A flash sale sold out (its last unit was taken), ended, or has units again (drizzle/0014). */
  | { kind: 'flash_sale'; flashSaleId: number; state: 'sold_out' | 'ended' | 'selling' }
  /** The feed lost its connection: anything may have changed meanwhile. */
  | { kind: 'reset' }

/**
 * A notification's payload as a change (`card:1,2`, `card:*`, `catalogue`, `flash_sale:7:sold_out`);
 * unknown payloads → reset.
 */
export function parseChange(payload: string): ReadModelChange {
  if (payload === 'catalogue') return { kind: 'catalogue' }
  if (payload === 'card:*') return { kind: 'card', memberIds: 'all' }
  const f = /^flash_sale:(\d+):(sold_out|ended|selling)$/.exec(payload)
  if (f)
    return { kind: 'flash_sale', flashSaleId: Number(f[1]), state: f[2] as 'sold_out' | 'ended' | 'selling' }
  const m = /^card:(\d+(?:,\d+)*)$/.exec(payload)
  if (m) return { kind: 'card', memberIds: m[1]!.split(',').map(Number) }
  return { kind: 'reset' }
}

export interface ChangeFeed {
  /** Every change, in commit order; returns the unsubscribe function. */
  subscribe(listener: (change: ReadModelChange) => void): () => void
  /** True while connected: a cache may serve only what it can hear being invalidated. */
  readonly live: boolean
  close(): Promise<void>
}

class Feed implements ChangeFeed {
  private readonly listeners = new Set<(change: ReadModelChange) => void>()
  live = false

  subscribe(listener: (change: ReadModelChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(change: ReadModelChange): void {
    for (const l of this.listeners) l(change)
  }

  setLive(live: boolean): void {
    if (this.live && !live) this.emit({ kind: 'reset' })
    this.live = live
  }

  closer: () => Promise<void> = async () => {}
  close(): Promise<void> {
    this.setLive(false)
    return this.closer()
  }
}

/**
 * Listen to the database's change feed: on PGlite through its own LISTEN, on a PostgreSQL server on
 * one connection taken from the pool for good, re-established with back-off when it drops (the feed
 * reports a reset and is not live until then).
 */
export async function openChangeFeed(
  database: Database,
  options: { onError?: (err: unknown) => void } = {},
): Promise<ChangeFeed> {
  const feed = new Feed()
  if (database.kind === 'pglite') {
    const unlisten = await (database.driver as PGlite).listen(READ_MODEL_CHANNEL, (payload) =>
      feed.emit(parseChange(payload)),
    )
    feed.setLive(true)
    feed.closer = async () => {
      if (!(database.driver as PGlite).closed) await unlisten()
    }
    return feed
  }

  const pool = database.driver as pg.Pool
  let client: pg.PoolClient | null = null
  let closed = false
  let retry: NodeJS.Timeout | null = null
  let delay = 500
  const connect = async (): Promise<void> => {
    try {
      const c = await pool.connect()
      c.on('notification', (n) => {
        if (n.channel === READ_MODEL_CHANNEL) feed.emit(parseChange(n.payload ?? ''))
      })
      c.on('error', (err) => {
        options.onError?.(err)
        drop(c, err)
      })
      c.on('end', () => drop(c, new Error('change feed connection ended')))
      await c.query(`listen ${READ_MODEL_CHANNEL}`)
      if (closed) {
        c.release()
        return
      }
      client = c
      delay = 500
      feed.setLive(true)
    } catch (err) {
      options.onError?.(err)
      schedule()
    }
  }
  const drop = (c: pg.PoolClient, err?: unknown) => {
    if (client !== c) return
    client = null
    feed.setLive(false)
    c.release(err instanceof Error ? err : true)
    schedule()
  }
  const schedule = () => {
    if (closed || retry) return
    retry = setTimeout(() => {
      retry = null
      void connect()
    }, delay)
    retry.unref()
    delay = Math.min(delay * 2, 30_000)
  }
  await connect()
  feed.closer = async () => {
    closed = true
    if (retry) clearTimeout(retry)
    const c = client
    client = null
    if (c) {
      await c.query(`unlisten ${READ_MODEL_CHANNEL}`).catch(() => {})
      c.release()
    }
  }
  return feed
}
