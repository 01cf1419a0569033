// Flash-sale checkouts over HTTP: many members, each with their own session, hit POST /api/mp/orders for
// a flash sale with fewer units than buyers, through the real app on the PostgreSQL server; then a bare
// Koa JSON endpoint under the same load in the same run. Prints one JSON line. `--quick` for a short run;
// `--processes N` runs N server processes (each with its own pool and change feed) behind the load
// generator, which spreads its connections over them.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { eq, sql } from 'drizzle-orm'
import { createProduct } from '../shared/catalog/admin'
import { categories } from '../shared/db/schema/catalog'
import { queryRows } from '../shared/db/client'
import { createFlashSale } from '../shared/marketing/flash-sale'
import { flashSales } from '../shared/db/schema/marketing'
import { bareKoa, benchDatabase, benchMembers, cannon, listen, quick, round, storeApp } from './store-bench'

const attempts = quick ? 600 : 4000
const units = Math.floor(attempts / 4)
const connections = 50
const processesArg = process.argv.indexOf('--processes')
const processes = processesArg > 0 ? Math.max(1, Number(process.argv[processesArg + 1]) || 1) : 1

/** A server process of its own on the bench database; resolves once it listens. */
async function serverProcess(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/checkout-server.ts', databaseUrl], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const [line] = await new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`checkout server exited (${code})`)))
    createInterface({ input: child.stdout! }).once('line', (l) => resolve([l]))
  })
  return {
    url: (JSON.parse(line!) as { url: string }).url,
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit')
        child.once('exit', () => resolve())
        child.stdin!.end()
      }),
  }
}

const { database, url } = await benchDatabase('checkout')
const [category] = await database.db.insert(categories).values({ name: '秒杀专区' }).returning()
const product = await createProduct(database.db, {
  categoryId: category!.id,
  title: '修护面霜 秒杀装',
  skus: [{ spec: '50g', priceFen: 32900, costFen: 9800, stock: units }],
})
const now = Date.now()
const sale = await createFlashSale(database.db, {
  skuId: product.skus[0]!.id,
  title: '整点秒杀',
  priceFen: 9900,
  totalStock: units,
  perMemberLimit: 1,
  startsAt: new Date(now - 60_000),
  endsAt: new Date(now + 3600_000),
})
const buyers = await benchMembers(database, attempts)

const servers =
  processes > 1
    ? await Promise.all(Array.from({ length: processes }, () => serverProcess(url)))
    : [await storeApp(database, url)]
let next = 0
const store = await cannon({
  // autocannon takes several URLs (its types say one) and spreads its connections over them
  url: servers.map((s) => `${s.url}/api/mp/orders`) as unknown as string,
  method: 'POST',
  connections,
  amount: attempts,
  requests: [
    {
      setupRequest: (req) => {
        const buyer = buyers[next++ % buyers.length]!
        return {
          ...req,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
          body: JSON.stringify({
            flashSale: { flashSaleId: sale.id, quantity: 1 },
            addressId: buyer.addressId,
          }),
        }
      },
    },
  ],
})
await Promise.all(servers.map((s) => s.close()))

const bare = await listen(bareKoa())
const baseline = await cannon({
  url: bare.url,
  method: 'POST',
  connections,
  amount: attempts,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ flashSale: { flashSaleId: 1, quantity: 1 }, addressId: 1 }),
})
await bare.close()

const [orders] = await queryRows<{ n: number; members: number; max_per_member: number }>(
  database.db,
  sql`select count(*)::int as n, count(distinct member_id)::int as members,
             coalesce(max(c), 0)::int as max_per_member
      from (select member_id, count(*) over (partition by member_id) as c from orders where flash_sale_id = ${sale.id}) o`,
)
const [left] = await database.db
  .select({ stockLeft: flashSales.stockLeft })
  .from(flashSales)
  .where(eq(flashSales.id, sale.id))
await database.close()

const oversold =
  Math.max(0, orders!.n - units) +
  (left!.stockLeft < 0 ? -left!.stockLeft : 0) +
  (orders!.max_per_member > 1 ? 1 : 0)
const perSecond = store.requests / store.seconds
const baselinePerSecond = baseline.requests / baseline.seconds
console.log(
  JSON.stringify({
    attempts: store.requests,
    units,
    orders: orders!.n,
    stock_left: left!.stockLeft,
    oversold,
    errors: store.errors,
    per_second: round(perSecond),
    p99_ms: store.p99,
    baseline_per_second: round(baselinePerSecond),
    ratio: round(perSecond / baselinePerSecond, 3),
    connections,
    processes,
    quick,
  }),
)
