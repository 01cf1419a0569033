// Read endpoints of the mini-program at 50 connections through the real app on the PostgreSQL server —
// product list, product detail, and the member's own card data — each against a bare Koa JSON endpoint
// in the same run (measured before and after, averaged). Prints one JSON line per endpoint. The app runs
// as `npm start` runs it: read caches on the database's change feed (see server/read-cache.ts).
import { fileURLToPath } from 'node:url'
import type autocannon from 'autocannon'
import { sql } from 'drizzle-orm'
import { categories, products, skuMemberPrices, skus } from '../shared/db/schema/catalog'
import { queryRows } from '../shared/db/client'
import { refreshMinPrice } from '../shared/catalog/admin'
import { tierLadders, tierLevels } from '../shared/db/schema/loyalty'
import type { InvalidatedCache, JsonBody } from '../server/read-cache'
import { bareKoa, benchDatabase, benchMembers, cannon, listen, quick, round, storeApp } from './store-bench'

const duration = quick ? 3 : 10
const connections = 50
const productCount = 300

const { database, url } = await benchDatabase('api')
const cats = await database.db
  .insert(categories)
  .values(['护肤', '彩妆', '母婴', '香氛'].map((name, sort) => ({ name, sort })))
  .returning()
const [ladder] = await database.db
  .insert(tierLadders)
  .values({ code: 'vip', name: '付费会员', kind: 'vertical', basis: 'paid' })
  .returning()
const [level] = await database.db
  .insert(tierLevels)
  .values({ ladderId: ladder!.id, code: 'V1', name: 'V1 会员', rank: 1, annualFeeFen: 9900 })
  .returning()
const made = await database.db
  .insert(products)
  .values(
    Array.from({ length: productCount }, (_, i) => ({
      categoryId: cats[i % cats.length]!.id,
      title: `商品 ${i + 1} 号 玻尿酸保湿精华`,
      subtitle: '补水保湿 · 30ml',
      images: [`/static/products/${i + 1}.jpg`],
      sort: i % 10,
      soldCount: (i * 37) % 500,
    })),
  )
  .returning({ id: products.id })
const skuRows = await database.db
  .insert(skus)
  .values(
    made.flatMap((p, i) =>
      [0, 1].map((k) => ({
        productId: p.id,
        spec: k ? '50ml' : '30ml',
        priceFen: 9900 + i * 10 + k * 5000,
        stock: 100,
      })),
    ),
  )
  .returning({ id: skus.id, priceFen: skus.priceFen })
await database.db
  .insert(skuMemberPrices)
  .values(skuRows.map((s) => ({ skuId: s.id, levelId: level!.id, priceFen: Math.floor(s.priceFen * 0.9) })))
await refreshMinPrice(database.db)
const members = await benchMembers(database, 500)
await queryRows(
  database.db,
  sql`insert into member_tiers (member_id, ladder_id, level_id, starts_at, source)
      select m, ${ladder!.id}, ${level!.id}, now(), 'bench' from unnest(${sql.raw(
        `array[${members
          .filter((_, i) => i % 2 === 0)
          .map((m) => m.memberId)
          .join(',')}]::bigint[]`,
      )}) m`,
)
await database.exec('analyze')

async function baselineRps() {
  const bare = await listen(bareKoa())
  const r = await cannon({ url: `${bare.url}/ping`, connections, duration, workers: 1 })
  await bare.close()
  return r.rps
}

const app = await storeApp(database, url)
const endpoints: {
  endpoint: string
  path: (i: number) => string
  cache: InvalidatedCache<string, JsonBody> | InvalidatedCache<number, JsonBody>
}[] = [
  {
    endpoint: 'GET /api/mp/products (list)',
    path: (i) => `/api/mp/products?page=${1 + (i % 5)}&pageSize=20`,
    cache: app.readCaches.catalogue,
  },
  {
    endpoint: 'GET /api/mp/products/:id (detail)',
    path: (i) => `/api/mp/products/${made[i % made.length]!.id}`,
    cache: app.readCaches.catalogue,
  },
  { endpoint: 'GET /api/mp/card (member card)', path: () => '/api/mp/card', cache: app.readCaches.cards },
]

const before = await baselineRps()
const results = []
for (const e of endpoints) {
  const { hits, misses } = e.cache
  // Every member in turn (each with their own session, half of them with a paid level), each connection
  // from its own place in the sequence (bench/api-client.cjs); the load generator runs in a worker
  // thread, off the server's event loop.
  process.env.BENCH_API_REQUESTS = JSON.stringify(
    members.map((m, n) => ({
      method: 'GET',
      path: e.path(n),
      headers: { authorization: `Bearer ${m.token}` },
    })),
  )
  const r = await cannon({
    url: app.url,
    connections,
    duration,
    workers: 1,
    setupClient: fileURLToPath(new URL('./api-client.cjs', import.meta.url)),
  } as unknown as autocannon.Options)
  const served = e.cache.hits - hits + (e.cache.misses - misses)
  const hitRatio = served ? (e.cache.hits - hits) / served : 0
  results.push({ e, r, hitRatio })
}
const after = await baselineRps()
await app.close()
await database.close()

const baseline = (before + after) / 2
for (const { e, r, hitRatio } of results) {
  console.log(
    JSON.stringify({
      endpoint: e.endpoint,
      rps: round(r.rps),
      p99_ms: r.p99,
      non2xx: r.non2xx,
      baseline_rps: round(baseline),
      ratio: round(r.rps / baseline, 3),
      cache_hit_ratio: round(hitRatio, 3),
      connections,
      duration_s: duration,
      quick,
    }),
  )
}
