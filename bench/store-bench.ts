// Shared parts of the store benchmarks: a database of their own on the PostgreSQL server, the real app
// and a bare Koa JSON endpoint on ephemeral ports, members with session tokens, and autocannon runs.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import autocannon from 'autocannon'
import Koa from 'koa'
import { bodyParser } from '@koa/bodyparser'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { createApp } from '../server/app'
import { createReadCaches } from '../server/read-cache'
import { openChangeFeed } from '../shared/db/change-feed'
import { randomBytes } from 'node:crypto'
import { loadConfig } from '../shared/config'
import { createLogger } from '../shared/logger'
import { openPostgres, queryRows, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { systemClock } from '../shared/clock'
import { hashToken } from '../shared/auth/service'

const SERVER = 'postgres://postgres@127.0.0.1:5432'

/** A fresh database `bench_<name>` (or DATABASE_URL when given), migrated. */
export async function benchDatabase(
  name: string,
  poolMax = 20,
): Promise<{ database: Database; url: string }> {
  let url = process.env.DATABASE_URL
  if (!url) {
    const admin = new pg.Client({ connectionString: `${SERVER}/postgres` })
    await admin.connect()
    await admin.query(`drop database if exists bench_${name} with (force)`)
    await admin.query(`create database bench_${name}`)
    await admin.end()
    url = `${SERVER}/bench_${name}`
  }
  const database = await openPostgres(url, { max: poolMax })
  await migrate(database)
  return { database, url }
}

export async function listen(app: Koa): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * The product's app as `npm start` runs it — read caches on the database's change feed — with logging
 * off (we measure the app, not the log sink).
 */
export async function storeApp(database: Database, url: string, env: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'production',
    // Production refuses to start without its own signing key and with the default password.
    SECRET_KEY: randomBytes(32).toString('hex'),
    ADMIN_INITIAL_PASSWORD: randomBytes(12).toString('hex'),
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '20',
    ...env,
  })
  const readCaches = createReadCaches(await openChangeFeed(database), {
    catalogueTtlMs: config.CATALOGUE_CACHE_SECONDS * 1000,
  })
  const app = createApp({
    db: database.db,
    config,
    logger: createLogger({ level: 'silent' }),
    clock: systemClock,
    readCaches,
  })
  const served = await listen(app)
  return {
    url: served.url,
    readCaches,
    close: async () => {
      await served.close()
      readCaches.close()
      await readCaches.feed.close()
    },
  }
}

/** The baseline: Koa with a body parser and one JSON endpoint, nothing else. */
export function bareKoa(): Koa {
  const app = new Koa()
  app.use(bodyParser())
  app.use((ctx) => {
    ctx.body = { ok: true, echo: (ctx.request as unknown as { body?: unknown }).body ?? null, at: Date.now() }
  })
  return app
}

/** `n` members, each with an address and a mini-program session; returns [memberId, addressId, token]. */
export async function benchMembers(
  database: Database,
  n: number,
): Promise<{ memberId: number; addressId: number; token: string }[]> {
  const rows = await queryRows<{ id: number }>(
    database.db,
    sql`insert into members (name, nickname, source) select '压测会员' || g, '会员' || g, 'bench' from generate_series(1, ${n}) g returning id`,
  )
  const ids = rows.map((r) => r.id)
  const addresses = await queryRows<{ id: number; member_id: number }>(
    database.db,
    sql`insert into member_addresses (member_id, name, phone, province, city, district, detail, is_default)
        select m, '买家', '13800000000', '上海市', '上海市', '静安区', '南京西路 1 号', true from unnest(${sql.raw(`array[${ids.join(',')}]::bigint[]`)}) m
        returning id, member_id`,
  )
  const addressOf = new Map(addresses.map((a) => [a.member_id, a.id]))
  const tokens = ids.map(() => randomBytes(32).toString('base64url'))
  const values = ids.map((id, i) => `('${hashToken(tokens[i]!)}', ${id}, now() + interval '1 day')`).join(',')
  await database.exec(`insert into member_sessions (token_hash, member_id, expires_at) values ${values}`)
  return ids.map((memberId, i) => ({ memberId, addressId: addressOf.get(memberId)!, token: tokens[i]! }))
}

export interface CannonResult {
  requests: number
  seconds: number
  rps: number
  p99: number
  non2xx: number
  errors: number
}

/** An autocannon run; with `workers` the load generator runs in worker threads, off the server's event loop. */
export async function cannon(options: autocannon.Options & { workers?: number }): Promise<CannonResult> {
  const r = await autocannon({ ...options })
  const seconds = r.duration
  return {
    requests: r.requests.total,
    seconds,
    rps: r.requests.average,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

export const quick = process.argv.includes('--quick')
export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d
